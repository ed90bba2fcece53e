// Action types known to the validator. Adding a type = one module under ./actions plus one line in `actionTypes`
// (and its settings type in the Action union of types.ts; the mapped type below makes tsc insist on the entry).
import type { z } from 'zod';
import type { Action, ActionType } from './types';
import type { ValidationContext } from './validate';
import { sendEmail } from './actions/sendEmail';
import { setTag } from './actions/setTag';

export interface ActionTypeDef<S> {
  /**
   * Everything about `settings`, including checks that need the context (e.g. which categories exist), so that all
   * problems are reported together. May normalize: its output is what the validated campaign holds.
   */
  settingsSchema(ctx: ValidationContext): z.ZodType<S, unknown>;
}

type SettingsOf<T extends ActionType> = Extract<Action, { type: T }>['settings'];

export const actionTypes: { readonly [T in ActionType]: ActionTypeDef<SettingsOf<T>> } = {
  sendEmail,
  setTag,
};

export function getActionType(type: string): ActionTypeDef<unknown> | undefined {
  return Object.hasOwn(actionTypes, type) ? (actionTypes[type as ActionType] as ActionTypeDef<unknown>) : undefined;
}
