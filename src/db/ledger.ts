// The send ledger: one row per send, keyed by what the promise is about: (campaign, customer, action). Its unique key, the
// lease on 'sending' rows and the in-flight flag are what keep a retried sendEmail activity (or a second run of the same
// pair, started under another workflow id) from sending twice: a later attempt either finds the earlier result, waits
// for the attempt that owns the send, or takes over only once that attempt's lease has run out, and then knows whether
// that attempt may have handed the message to SendGrid. A message SendGrid took is recorded `sent`, whoever learns of it:
// the attempt that heard the 202, a later attempt that finds it in its heartbeat, or the webhook when an event carrying
// the send's send_key arrives for a send whose answer was lost (docs/guarantees.md).
import type { SkipReason } from '../contract';
import type { Db } from './knex';

/** `unknown`: SendGrid may have the message (its answer was lost); the run waits for SendGrid's word before it decides. */
export type LedgerStatus = 'sending' | 'sent' | 'skipped' | 'failed' | 'cancelled' | 'unknown';

/** Why a row ended failed or cancelled. */
export type FailureReason = 'rejected' | 'delivery_unknown' | 'lifetime_expired' | 'template' | 'cancelled' | 'cancelled_in_flight';

/** How an event's send_key (`<run key>/<action id>`) and the run itself name a row: the workflow that made it. */
export interface LedgerKey {
  runKey: string;
  actionId: string;
}

/** The send's own key, what the promise is about: one row per (campaign, customer, action), whatever the workflow id. */
export interface SendKey {
  campaignId: string;
  customerId: string;
  actionId: string;
}

export interface LedgerMeta extends LedgerKey, SendKey {
  campaignVersion: number;
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
  /** the run that made the row (its workflow id) */
  runKey: string;
  /** for a row this attempt just claimed: the status it took the row over from (null: a new row) */
  claimedFrom: LedgerStatus | null;
  /** for a row this attempt just claimed: the attempt before may have handed the message to SendGrid */
  claimedInFlight: boolean;
  /** the webhook event (its type) that proved SendGrid took a send whose answer was lost */
  confirmedByEvent: string | null;
}

// lease_active is computed in SQL so that the database clock alone decides lease expiry.
const RETURNING = `id, run_key, status, provider_message_id, skip_reasons, error, failure_reason, attempts, possible_duplicate,
  claimed_from, claimed_in_flight, confirmed_by_event, (lease_until is not null and lease_until > now()) as lease_active`;

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
    runKey: r.run_key,
    claimedFrom: r.claimed_from ?? null,
    claimedInFlight: r.claimed_in_flight === true,
    confirmedByEvent: r.confirmed_by_event ?? null,
  };
}

/** The row a run (its workflow id) made for an action. */
export async function getEntry(db: Db, key: LedgerKey): Promise<LedgerEntry | null> {
  const { rows } = await db.raw(`select ${RETURNING} from send_ledger where run_key = ? and action_id = ?`, [key.runKey, key.actionId]);
  return rows[0] ? toEntry(rows[0]) : null;
}

export async function getById(db: Db, id: string): Promise<LedgerEntry | null> {
  const { rows } = await db.raw(`select ${RETURNING} from send_ledger where id = ?`, [id]);
  return rows[0] ? toEntry(rows[0]) : null;
}

/** The send's row, whichever run made it. */
export async function getSend(db: Db, key: SendKey): Promise<LedgerEntry | null> {
  const { rows } = await db.raw(
    `select ${RETURNING} from send_ledger where campaign_id = ? and customer_id = ? and action_id = ? and not duplicate_run`,
    [key.campaignId, key.customerId, key.actionId],
  );
  return rows[0] ? toEntry(rows[0]) : null;
}

/** The named bindings CLAIM_SQL reads (plus :lease, in milliseconds). */
export function ledgerValues(m: LedgerMeta, o: { resendUnknown?: boolean } = {}) {
  return {
    run_key: m.runKey,
    action_id: m.actionId,
    campaign_id: m.campaignId,
    campaign_version: m.campaignVersion,
    customer_id: m.customerId,
    workflow_run_id: m.workflowRunId,
    resend_unknown: o.resendUnknown === true,
  };
}

/**
 * Who may claim an existing row:
 * - a row still 'sending' whose lease ran out (its attempt died or gave up);
 * - an 'unknown' row, only when the run heard nothing from SendGrid within its wait and the campaign resends
 *   (:resend_unknown);
 * - for a new run of the same workflow (an operator's reset), a row that ended without being sent ('sent' rows never
 *   change). Another workflow's row (a second run of the pair under another id) is never taken over: its outcome is
 *   this run's too. Rows written before workflow_run_id existed (null) are never claimed again by a reset.
 */
const TAKE_OVER = `(send_ledger.status = 'sending' and (send_ledger.lease_until is null or send_ledger.lease_until <= now()))
    or (send_ledger.status = 'unknown' and :resend_unknown)
    or (send_ledger.status in ('failed', 'skipped', 'cancelled') and send_ledger.run_key = excluded.run_key
        and send_ledger.workflow_run_id <> excluded.workflow_run_id)`;

/**
 * The claim: creates the row 'sending' with a lease of :lease ms, or takes one over (TAKE_OVER). The claimer may send,
 * so the row is in flight from here on. Taking over a row that was in flight makes this send a possible duplicate: the
 * earlier attempt may have handed the message to SendGrid before it died (claimed_in_flight says so to the claimer).
 * Returns the claimed row, or no row when another attempt owns it or it already has a final status. Run inside the
 * sendEmail activity's one-round-trip read (db/sendState.ts).
 */
export const CLAIM_SQL = `insert into send_ledger (run_key, action_id, campaign_id, campaign_version, customer_id, workflow_run_id,
                                status, attempts, lease_until, in_flight, decided_at)
     values (:run_key, :action_id, :campaign_id, :campaign_version, :customer_id, :workflow_run_id,
             'sending', 1, now() + (:lease || ' milliseconds')::interval, true, now())
     on conflict (campaign_id, customer_id, action_id) where not duplicate_run do update
       set attempts = send_ledger.attempts + 1, lease_until = excluded.lease_until, updated_at = now(), decided_at = now(),
           status = 'sending', workflow_run_id = excluded.workflow_run_id,
           claimed_from = send_ledger.status, claimed_in_flight = send_ledger.in_flight,
           possible_duplicate = send_ledger.possible_duplicate or send_ledger.in_flight, in_flight = true
       where ${TAKE_OVER}
     returning ${RETURNING}`;

/**
 * The row an attempt claimed, and once the rules decided to send, what they saw (email/ruleInputs.ts): every write that
 * ends or releases the attempt records it in the same statement, instead of a write of its own before the message left
 * (one round trip less for every e-mail sent).
 */
export type ClaimedRow = Pick<LedgerEntry, 'id' | 'attempts'> & { decisionInputs?: unknown };

/** The decision column of a write by the attempt that decided; nothing when it has not decided. */
function decision(claimed: { decisionInputs?: unknown }) {
  return claimed.decisionInputs === undefined ? {} : { decision_inputs: JSON.stringify(claimed.decisionInputs) };
}

/**
 * Guards a write on the attempt that claimed the row: a takeover (which bumps attempts) makes it refuse. The write
 * records the attempt's decision too, if it made one.
 */
function owned(db: Db, claimed: ClaimedRow) {
  const q = db('send_ledger').where({ id: claimed.id, status: 'sending', attempts: claimed.attempts });
  return { update: (set: Record<string, unknown>) => q.update({ ...decision(claimed), ...set }) };
}

/**
 * SendGrid took the message (202). Not guarded by attempt: an accepted message is a fact whoever records it, and it
 * overrides what a row said meanwhile (closed by the workflow, waiting for SendGrid's word). False when the row was
 * already sent (an event, or another attempt, recorded it first); if with another message id, the send went out twice
 * and the row says so.
 */
export async function markSent(db: Db, id: string, messageId: string, bccCount: number, decisionInputs?: unknown): Promise<boolean> {
  const n = await db('send_ledger')
    .where({ id })
    .whereIn('status', ['sending', 'unknown', 'failed', 'cancelled'])
    .update({
      ...decision({ decisionInputs }),
      status: 'sent',
      provider_message_id: messageId,
      bcc_count: bccCount,
      lease_until: null,
      in_flight: false,
      error: null,
      failure_reason: null,
      updated_at: db.fn.now(),
    });
  if (n > 0) return true;
  await db('send_ledger')
    .where({ id, status: 'sent' })
    .whereNot({ provider_message_id: messageId })
    .update({ duplicate_confirmed: true, updated_at: db.fn.now() });
  return false;
}

/** The send ended without being sent now (rejected, unknown delivery, template error, lifetime over). */
export async function markFailed(db: Db, claimed: ClaimedRow, reason: FailureReason, error: string): Promise<boolean> {
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
export async function releaseClaim(db: Db, claimed: ClaimedRow, error: string): Promise<void> {
  await owned(db, claimed).update({ lease_until: null, in_flight: false, error, updated_at: db.fn.now() });
}

/**
 * SendGrid may have taken the message and the campaign chose to resend: the next attempt may send, and whatever it sends
 * is marked a possible duplicate. (Runs started before the wait for SendGrid's word.)
 */
export async function releaseMaybeAccepted(db: Db, claimed: ClaimedRow, error: string): Promise<void> {
  await owned(db, claimed).update({ lease_until: null, in_flight: false, possible_duplicate: true, error, updated_at: db.fn.now() });
}

/**
 * SendGrid may have taken the message: the row waits for SendGrid's word (an event with its send_key makes it 'sent'),
 * still in flight. False when this attempt no longer owns the row.
 */
export async function markUnknown(db: Db, claimed: ClaimedRow, error: string): Promise<boolean> {
  const n = await owned(db, claimed).update({ status: 'unknown', lease_until: null, error, updated_at: db.fn.now() });
  return n > 0;
}

/** A cancellation stopped the send: before the request (`cancelled`) or while it was on the wire (`cancelled_in_flight`). */
export async function markCancelled(db: Db, claimed: ClaimedRow, reason: 'cancelled' | 'cancelled_in_flight'): Promise<void> {
  const inFlight = reason === 'cancelled' ? { in_flight: false } : {};
  await owned(db, claimed).update({ status: 'cancelled', failure_reason: reason, lease_until: null, ...inFlight, updated_at: db.fn.now() });
}

/**
 * Closes a row the workflow gave up on: still 'sending' when the message lifetime ran out (every attempt failed, or the
 * last one timed out) or the run was cancelled between attempts; or still 'unknown' when the run's wait for SendGrid's
 * word ended in silence (`delivery_unknown`) or was cancelled. Refuses while an attempt still holds the lease: that
 * attempt may yet record its answer. Returns the row afterwards, whatever its state.
 */
export async function closeSend(
  db: Db,
  key: SendKey,
  why: 'lifetime_expired' | 'cancelled' | 'delivery_unknown',
): Promise<LedgerEntry | null> {
  const set = {
    lifetime_expired: "status = 'failed', failure_reason = 'lifetime_expired', error = 'message lifetime ran out'",
    cancelled: "status = 'cancelled', failure_reason = case when in_flight then 'cancelled_in_flight' else 'cancelled' end",
    delivery_unknown: `status = 'failed', failure_reason = 'delivery_unknown',
        error = 'delivery_unknown: SendGrid may have taken the message, and no event said so within the campaign''s wait'`,
  }[why];
  const from = why === 'delivery_unknown' ? "status = 'unknown'" : "status in ('sending', 'unknown')";
  await db.raw(
    `update send_ledger set ${set}, lease_until = null, updated_at = now()
      where campaign_id = ? and customer_id = ? and action_id = ? and not duplicate_run
        and ${from} and (lease_until is null or lease_until <= now())`,
    [key.campaignId, key.customerId, key.actionId],
  );
  return getSend(db, key);
}

/** The ledger statuses an event with the send's send_key settles: SendGrid's answer never arrived, or arrived late. */
const SETTLED_BY_EVENT = `(status in ('unknown', 'sending') or (status = 'failed' and failure_reason = 'delivery_unknown')
    or (status = 'cancelled' and failure_reason = 'cancelled_in_flight'))`;

/**
 * An event carrying this send's send_key proves SendGrid took it: a row whose answer was lost becomes 'sent' with the
 * event's message id, marked as confirmed by that event (its type: `dropped` says SendGrid took, then dropped it). A
 * possible duplicate whose event names another message than the recorded one did go out twice. Returns the status the
 * row had when the event settled it, or null when it changed nothing.
 */
export async function settleByEvent(
  q: Db | import('knex').Knex.Transaction,
  ledgerId: string,
  messageId: string | undefined,
  event: string,
): Promise<LedgerStatus | null> {
  const { rows } = await q.raw(
    `with before as (select id, status from send_ledger where id = ? and ${SETTLED_BY_EVENT} for update)
     update send_ledger l set status = 'sent', provider_message_id = coalesce(?, l.provider_message_id), confirmed_by_event = ?,
            confirmed_at = now(), in_flight = false, lease_until = null, failure_reason = null, error = null, updated_at = now()
       from before where l.id = before.id
     returning before.status as was`,
    [ledgerId, messageId ?? null, event],
  );
  if (rows[0]) return rows[0].was;
  if (messageId)
    await q.raw(
      `update send_ledger set duplicate_confirmed = true, updated_at = now()
        where id = ? and status = 'sent' and possible_duplicate and not duplicate_confirmed and provider_message_id <> ?`,
      [ledgerId, messageId],
    );
  return null;
}
