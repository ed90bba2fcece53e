// The action types in the workflow: each type's handler (src/actions/<type>/workflow.ts), keyed by the contract's
// ActionType, so a type without one does not compile. Workflow code: it imports only other workflow code and the
// contract (the sandbox rule in eslint.config.mjs), never a type's definition or activities (src/actions/index.ts,
// activities.ts), which need zod and the database.
import type { ActionType } from '../contract';
import type { ActionHandler } from '../workflows/actions/types';
import { checkEmailStatusHandler } from './checkEmailStatus/workflow';
import { controlGroupHandler } from './controlGroup/workflow';
import { sendEmailHandler } from './sendEmail/workflow';
import { setTagHandler } from './setTag/workflow';
import { splitHandler } from './split/workflow';
import { waitHandler } from './wait/workflow';
import { waitUntilHandler } from './waitUntil/workflow';

export const handlers: { readonly [T in ActionType]: ActionHandler } = {
  sendEmail: sendEmailHandler,
  setTag: setTagHandler,
  wait: waitHandler,
  waitUntil: waitUntilHandler,
  checkEmailStatus: checkEmailStatusHandler,
  split: splitHandler,
  controlGroup: controlGroupHandler,
};

/** The handler for a node's type; undefined for a type this code does not know (a malformed or future input). */
export function handlerFor(type: string): ActionHandler | undefined {
  return Object.hasOwn(handlers, type) ? handlers[type as ActionType] : undefined;
}
