// The campaign side of the action-type registry: the settings schema of every ActionType. Keyed by the contract's
// ActionType, so a type without a schema does not compile. Adding a type: README "Adding an action type".
import type { ActionType } from '../contract';
import type { ActionTypeDef } from './actionTypeDef';
import { checkEmailStatus } from './actions/checkEmailStatus';
import { sendEmail } from './actions/sendEmail';
import { setTag } from './actions/setTag';
import { wait } from './actions/wait';
import { waitUntil } from './actions/waitUntil';
import type { ActionOf } from './types';

export const actionTypes: { readonly [T in ActionType]: ActionTypeDef<ActionOf<T>['settings']> } = {
  sendEmail,
  setTag,
  wait,
  waitUntil,
  checkEmailStatus,
};

export function getActionType(type: string): ActionTypeDef<unknown> | undefined {
  return Object.hasOwn(actionTypes, type) ? (actionTypes[type as ActionType] as ActionTypeDef<unknown>) : undefined;
}
