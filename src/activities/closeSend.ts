// Called by the workflow when it gives up on a Send e-mail between attempts: the message lifetime ran out, or the run was
// cancelled. The ledger row must not stay 'sending' for ever. While an attempt still holds the lease it may yet record
// SendGrid's answer, so this waits for that (it throws, and its local-activity retry looks again); the row's final
// state, whatever it is, is the action's truth.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActionActivityInput, ActionOutcome } from '../contract';
import { closeSend as closeRow } from '../db/ledger';
import type { Db } from '../db/knex';

export function createCloseSend(deps: { db: Db }) {
  return async function closeSend(input: ActionActivityInput, why: 'lifetime_expired' | 'cancelled'): Promise<ActionOutcome> {
    const row = await closeRow(deps.db, { runKey: input.runKey, actionId: input.actionId }, why);
    const expired = { status: 'failed', error: 'message lifetime ran out (lifetime_expired)' } as const;
    if (!row) return why === 'lifetime_expired' ? expired : { status: 'not_run' };
    switch (row.status) {
      case 'sending':
        throw ApplicationFailure.retryable('an attempt still holds the send; waiting for its answer');
      case 'sent':
        return { status: 'sent', messageId: row.providerMessageId! };
      case 'skipped':
        return { status: 'skipped', reasons: row.skipReasons ?? [] };
      case 'cancelled':
        return { status: 'not_run' };
      default:
        return row.failureReason === 'lifetime_expired' ? expired : { status: 'failed', error: row.error ?? row.failureReason ?? 'failed' };
    }
  };
}
