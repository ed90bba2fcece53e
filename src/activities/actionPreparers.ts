// The activity side of the action-type registry: what a worker prepares once per stored action (when the campaign
// version is first loaded) so that each run's activity only renders and writes. Keyed by the contract's ActionType, so
// a type without an entry does not compile.
import type { ActionType } from '../contract';
import type { ActionOf } from '../campaigns/types';
import { compileEmail, type CompiledEmail } from '../email/render';

export interface PreparedByType {
  sendEmail: { email: CompiledEmail };
  setTag: Record<string, never>;
  wait: Record<string, never>;
  waitUntil: Record<string, never>;
  checkEmailStatus: Record<string, never>;
}

export const actionPreparers: { readonly [T in ActionType]: (action: ActionOf<T>) => PreparedByType[T] } = {
  sendEmail: (action) => ({ email: compileEmail(action.settings) }),
  setTag: () => ({}),
  // Flow actions have no activity of their own: the run carries their settings (ActionNode) and waits itself.
  wait: () => ({}),
  waitUntil: () => ({}),
  // The run carries the check's settings (ActionNode.emailCheck); its emailStatus activity reads only the ledger.
  checkEmailStatus: () => ({}),
};
