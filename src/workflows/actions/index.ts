// The workflow side of the action-type registry: one handler per ActionType. The record is keyed by the contract's
// ActionType, so a type without a handler does not compile.
import type { ActionType } from '../../contract';
import { checkEmailStatusHandler } from './checkEmailStatus';
import { sendEmailHandler } from './sendEmail';
import { setTagHandler } from './setTag';
import { waitHandler } from './wait';
import { waitUntilHandler } from './waitUntil';
import type { ActionHandler } from './types';

export const handlers: { readonly [T in ActionType]: ActionHandler } = {
  sendEmail: sendEmailHandler,
  setTag: setTagHandler,
  wait: waitHandler,
  waitUntil: waitUntilHandler,
  checkEmailStatus: checkEmailStatusHandler,
};

/** The handler for a node's type; undefined for a type this code does not know (a malformed or future input). */
export function handlerFor(type: string): ActionHandler | undefined {
  return Object.hasOwn(handlers, type) ? handlers[type as ActionType] : undefined;
}
