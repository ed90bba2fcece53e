// The send ledger: one row per (run, action). Its unique key, the lease on 'sending' rows and the in-flight flag are what
// keep a retried sendEmail activity from sending twice: a later attempt either finds the earlier result, waits for the
// attempt that owns the send, or takes over only once that attempt's lease has run out, and then knows whether that
// attempt may have handed the message to SendGrid (README "How a run works").
import type { SkipReason } from '../contract';
import type { Db } from './knex';

export type LedgerStatus = 'sending' | 'sent' | 'skipped' | 'failed' | 'cancelled';

/** Why a row ended failed or cancelled. */
export type FailureReason = 'rejected' | 'delivery_unknown' | 'lifetime_expired' | 'template' | 'cancelled' | 'cancelled_in_flight';

export interface LedgerKey {
  runKey: string;
  actionId: string;
}

export interface LedgerMeta extends LedgerKey {
  campaignId: string;
  campaignVersion: number;
  customerId: string;
  /** the workflow run this attempt belongs to: a reset (new run) may claim a row that was never accepted again */
  workflowRunId: string;
}

export interface LedgerEntry {
  id: string;
  status: LedgerStatus;
  providerMessageId: string | null;
  skipReasons: SkipReason[] | null;
  error: string | null;
  failureReason: FailureReason | null;
  attempts: number;
  leaseActive: boolean;
  /** this send may repeat one SendGrid already took (an earlier attempt's outcome was unknown) */
  possibleDuplicate: boolean;
}

// lease_active is computed in SQL so that the database clock alone decides lease expiry.
const RETURNING =
  'id, status, provider_message_id, skip_reasons, error, failure_reason, attempts, possible_duplicate, (lease_until is not null and lease_until > now()) as lease_active';

export function toEntry(r: any): LedgerEntry {
  return {
    id: String(r.id),
    status: r.status,
    providerMessageId: r.provider_message_id ?? null,
    skipReasons: r.skip_reasons ?? null,
    error: r.error ?? null,
    failureReason: r.failure_reason ?? null,
    attempts: r.attempts,
    leaseActive: r.lease_active === true,
    possibleDuplicate: r.possible_duplicate === true,
  };
}

export async function getEntry(db: Db, key: LedgerKey): Promise<LedgerEntry | null> {
  const { rows } = await db.raw(`select ${RETURNING} from send_ledger where run_key = ? and action_id = ?`, [key.runKey, key.actionId]);
  return rows[0] ? toEntry(rows[0]) : null;
}

/** The named bindings CLAIM_SQL reads (plus :lease, in milliseconds). */
export function ledgerValues(m: LedgerMeta) {
  return {
    run_key: m.runKey,
    action_id: m.actionId,
    campaign_id: m.campaignId,
    campaign_version: m.campaignVersion,
    customer_id: m.customerId,
    workflow_run_id: m.workflowRunId,
  };
}

/**
 * Who may claim an existing row: a row still 'sending' whose lease ran out (its attempt died or gave up), or, for a new
 * run of the workflow (an operator's reset), a row that ended without being sent ('sent' rows never change). Rows written
 * before workflow_run_id existed (null) are never claimed again by a reset: nothing tells their run apart.
 */
const TAKE_OVER = `(send_ledger.status = 'sending' and (send_ledger.lease_until is null or send_ledger.lease_until <= now()))
    or (send_ledger.status in ('failed', 'skipped', 'cancelled') and send_ledger.workflow_run_id <> excluded.workflow_run_id)`;

/**
 * The claim: creates the row 'sending' with a lease of :lease ms, or takes one over (TAKE_OVER). The claimer may send,
 * so the row is in flight from here on. Taking over a row that was in flight makes this send a possible duplicate: the
 * earlier attempt may have handed the message to SendGrid before it died. Returns the claimed row, or no row when
 * another attempt owns it or it already has a final status. Run inside the sendEmail activity's one-round-trip read
 * (db/sendState.ts).
 */
export const CLAIM_SQL = `insert into send_ledger (run_key, action_id, campaign_id, campaign_version, customer_id, workflow_run_id,
                                status, attempts, lease_until, in_flight, decided_at)
     values (:run_key, :action_id, :campaign_id, :campaign_version, :customer_id, :workflow_run_id,
             'sending', 1, now() + (:lease || ' milliseconds')::interval, true, now())
     on conflict (run_key, action_id) do update
       set attempts = send_ledger.attempts + 1, lease_until = excluded.lease_until, updated_at = now(), decided_at = now(),
           status = 'sending', workflow_run_id = excluded.workflow_run_id,
           possible_duplicate = send_ledger.possible_duplicate or send_ledger.in_flight, in_flight = true
       where ${TAKE_OVER}
     returning ${RETURNING}`;

/** Guards a write on the attempt that claimed the row: a takeover (which bumps attempts) makes it refuse. */
function owned(db: Db, claimed: Pick<LedgerEntry, 'id' | 'attempts'>) {
  return db('send_ledger').where({ id: claimed.id, status: 'sending', attempts: claimed.attempts });
}

/** SendGrid took the message (202). Not guarded by attempt: an accepted message is a fact whoever records it. */
export async function markSent(db: Db, id: string, messageId: string, bccCount: number): Promise<boolean> {
  const n = await db('send_ledger').where({ id, status: 'sending' }).update({
    status: 'sent',
    provider_message_id: messageId,
    bcc_count: bccCount,
    lease_until: null,
    in_flight: false,
    error: null,
    updated_at: db.fn.now(),
  });
  return n > 0;
}

/** The send ended without being sent now (rejected, unknown delivery, template error, lifetime over). */
export async function markFailed(
  db: Db,
  claimed: Pick<LedgerEntry, 'id' | 'attempts'>,
  reason: FailureReason,
  error: string,
): Promise<boolean> {
  const inFlight = reason === 'delivery_unknown' ? {} : { in_flight: false };
  const n = await owned(db, claimed).update({
    status: 'failed',
    failure_reason: reason,
    error,
    lease_until: null,
    ...inFlight,
    updated_at: db.fn.now(),
  });
  return n > 0;
}

/**
 * SendGrid definitely did not take the message (it answered with an error of its own): give up the lease at once so that
 * the next attempt may send, and keep the error for the operator.
 */
export async function releaseClaim(db: Db, claimed: Pick<LedgerEntry, 'id' | 'attempts'>, error: string): Promise<void> {
  await owned(db, claimed).update({ lease_until: null, in_flight: false, error, updated_at: db.fn.now() });
}

/**
 * SendGrid may have taken the message and the campaign chose to resend: the next attempt may send, and whatever it sends
 * is marked a possible duplicate.
 */
export async function releaseMaybeAccepted(db: Db, claimed: Pick<LedgerEntry, 'id' | 'attempts'>, error: string): Promise<void> {
  await owned(db, claimed).update({ lease_until: null, in_flight: false, possible_duplicate: true, error, updated_at: db.fn.now() });
}

/** A cancellation stopped the send: before the request (`cancelled`) or while it was on the wire (`cancelled_in_flight`). */
export async function markCancelled(
  db: Db,
  claimed: Pick<LedgerEntry, 'id' | 'attempts'>,
  reason: 'cancelled' | 'cancelled_in_flight',
): Promise<void> {
  const inFlight = reason === 'cancelled' ? { in_flight: false } : {};
  await owned(db, claimed).update({ status: 'cancelled', failure_reason: reason, lease_until: null, ...inFlight, updated_at: db.fn.now() });
}

/**
 * Closes a row the workflow gave up on while it was still 'sending': the message lifetime ran out (every attempt failed,
 * or the last one timed out), or the run was cancelled between attempts. Refuses while an attempt still holds the
 * lease: that attempt may yet record its answer. Returns the row afterwards, whatever its state.
 */
export async function closeSend(db: Db, key: LedgerKey, why: 'lifetime_expired' | 'cancelled'): Promise<LedgerEntry | null> {
  const set =
    why === 'lifetime_expired'
      ? "status = 'failed', failure_reason = 'lifetime_expired', error = 'message lifetime ran out'"
      : "status = 'cancelled', failure_reason = case when in_flight then 'cancelled_in_flight' else 'cancelled' end";
  await db.raw(
    `update send_ledger set ${set}, lease_until = null, updated_at = now()
      where run_key = ? and action_id = ? and status = 'sending' and (lease_until is null or lease_until <= now())`,
    [key.runKey, key.actionId],
  );
  return getEntry(db, key);
}
