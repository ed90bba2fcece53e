// The action types, outside the workflow: one module per type (src/actions/<type>/), and this list of their
// definitions. Keyed by the contract's ActionType, so a type without a definition does not compile; its workflow
// handler is listed in workflows.ts and its activities in activities.ts, keyed alike. Adding a type: docs/campaigns.md,
// "Adding an action type".
import type { ActionType } from '../contract';
import type { ActionDefinition } from './definition';
import { checkEmailStatus } from './checkEmailStatus/definition';
import { controlGroup } from './controlGroup/definition';
import { sendEmail } from './sendEmail/definition';
import { setTag } from './setTag/definition';
import { split } from './split/definition';
import { wait } from './wait/definition';
import { waitUntil } from './waitUntil/definition';

export const actionDefinitions = {
  sendEmail,
  setTag,
  wait,
  waitUntil,
  checkEmailStatus,
  split,
  controlGroup,
} satisfies { readonly [T in ActionType]: ActionDefinition<any, any> };

type Definitions = typeof actionDefinitions;
/** The settings of an action of type T, as validation leaves them. */
export type SettingsOf<T extends ActionType> = Definitions[T] extends ActionDefinition<infer S, any> ? S : never;
/** What a worker prepares once per stored action of type T. */
export type PreparedOf<T extends ActionType> = Definitions[T] extends ActionDefinition<any, infer P> ? P : never;

/** The definition of a type; undefined for a type that does not exist (a document's typo, an older tree's type). */
export function definitionOf(type: ActionType): ActionDefinition<unknown, unknown>;
export function definitionOf(type: unknown): ActionDefinition<unknown, unknown> | undefined;
export function definitionOf(type: unknown): ActionDefinition<unknown, unknown> | undefined {
  return typeof type === 'string' && Object.hasOwn(actionDefinitions, type)
    ? (actionDefinitions[type as ActionType] as ActionDefinition<unknown, unknown>)
    : undefined;
}
