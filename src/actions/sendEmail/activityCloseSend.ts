// Called by the workflow when it gives up on a Send e-mail: the message lifetime ran out, the run was cancelled between
// attempts, or its wait for SendGrid's word on a lost answer ended in silence. The ledger row must not stay 'sending' or
// 'unknown' for ever. While an attempt still holds the lease it may yet record SendGrid's answer, so this waits for that
// (it throws, and its local-activity retry looks again); the row's final state, whatever it is, is the action's truth.
// readSend is the run's look at the row while it waits for SendGrid's word.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActionActivityInput, ActionOutcome } from '../../contract';
import { closeSend as closeRow, getSend, type LedgerEntry } from '../../db/ledger';
import type { Db } from '../../db/knex';

const sendKey = (input: ActionActivityInput) => ({ campaignId: input.campaignId, customerId: input.customerId, actionId: input.actionId });

/** The outcome a final row gives the action. */
function outcomeOf(row: LedgerEntry): ActionOutcome {
  switch (row.status) {
    case 'sent':
      return { status: 'sent', messageId: row.providerMessageId! };
    case 'skipped':
      return { status: 'skipped', reasons: row.skipReasons ?? [] };
    case 'cancelled':
      return { status: 'not_run' };
    default:
      if (row.failureReason === 'lifetime_expired') return { status: 'failed', error: 'message lifetime ran out (lifetime_expired)' };
      return { status: 'failed', error: row.error ?? row.failureReason ?? 'failed' };
  }
}

export function createCloseSend(deps: { db: Db }) {
  return async function closeSend(
    input: ActionActivityInput,
    why: 'lifetime_expired' | 'cancelled' | 'delivery_unknown',
  ): Promise<ActionOutcome> {
    const row = await closeRow(deps.db, sendKey(input), why);
    const expired = { status: 'failed', error: 'message lifetime ran out (lifetime_expired)' } as const;
    if (!row) return why === 'lifetime_expired' ? expired : { status: 'not_run' };
    if (row.status === 'sending' || row.status === 'unknown')
      throw ApplicationFailure.retryable('an attempt still holds the send; waiting for its answer');
    return outcomeOf(row);
  };
}

export function createReadSend(deps: { db: Db }) {
  /** The send's outcome once SendGrid's word settled it (or anything else ended it); null while it is still unknown. */
  return async function readSend(input: ActionActivityInput): Promise<ActionOutcome | null> {
    const row = await getSend(deps.db, sendKey(input));
    if (!row || row.status === 'unknown' || row.status === 'sending') return null;
    return outcomeOf(row);
  };
}
