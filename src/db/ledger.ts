// The send ledger: one row per (run, action). Its unique key and the lease on 'sending' rows are what keep a retried
// sendEmail activity from sending twice: a later attempt either finds the earlier result, waits for the attempt that owns
// the send, or takes over only once that attempt's lease has run out.
import type { SkipReason } from '../contract';
import type { Db } from './knex';

export type LedgerStatus = 'sending' | 'sent' | 'skipped' | 'failed';

export interface LedgerKey {
  runKey: string;
  actionId: string;
}

export interface LedgerMeta extends LedgerKey {
  campaignId: string;
  campaignVersion: number;
  customerId: string;
}

export interface LedgerEntry {
  id: string;
  status: LedgerStatus;
  providerMessageId: string | null;
  skipReasons: SkipReason[] | null;
  error: string | null;
  attempts: number;
  leaseActive: boolean;
}

// lease_active is computed in SQL so that the database clock alone decides lease expiry.
const RETURNING =
  'id, status, provider_message_id, skip_reasons, error, attempts, (lease_until is not null and lease_until > now()) as lease_active';

export function toEntry(r: any): LedgerEntry {
  return {
    id: String(r.id),
    status: r.status,
    providerMessageId: r.provider_message_id ?? null,
    skipReasons: r.skip_reasons ?? null,
    error: r.error ?? null,
    attempts: r.attempts,
    leaseActive: r.lease_active === true,
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
  };
}

/** A row still 'sending' whose lease ran out may be taken over; terminal rows never change. */
const TAKE_OVER = "send_ledger.status = 'sending' and (send_ledger.lease_until is null or send_ledger.lease_until <= now())";

/**
 * The claim: creates the row 'sending' with a lease of :lease ms, or takes over a 'sending' row whose lease ran out.
 * Returns the claimed row, or no row when another attempt owns it or it already has a final status. Run inside the
 * sendEmail activity's one-round-trip read (db/sendState.ts).
 */
export const CLAIM_SQL = `insert into send_ledger (run_key, action_id, campaign_id, campaign_version, customer_id, status, attempts, lease_until)
     values (:run_key, :action_id, :campaign_id, :campaign_version, :customer_id, 'sending', 1, now() + (:lease || ' milliseconds')::interval)
     on conflict (run_key, action_id) do update
       set attempts = send_ledger.attempts + 1, lease_until = excluded.lease_until, updated_at = now()
       where ${TAKE_OVER}
     returning ${RETURNING}`;

export async function markSent(db: Db, id: string, messageId: string, bccCount: number): Promise<void> {
  await db('send_ledger').where({ id, status: 'sending' }).update({
    status: 'sent',
    provider_message_id: messageId,
    bcc_count: bccCount,
    lease_until: null,
    error: null,
    updated_at: db.fn.now(),
  });
}

export async function markFailed(db: Db, id: string, error: string): Promise<void> {
  await db('send_ledger').where({ id, status: 'sending' }).update({ status: 'failed', error, lease_until: null, updated_at: db.fn.now() });
}

/**
 * SendGrid definitely did not take the message (it answered with an error): give up the lease at once so that the next
 * attempt may send, and keep the error for the operator.
 */
export async function releaseClaim(db: Db, id: string, error: string): Promise<void> {
  await db('send_ledger').where({ id, status: 'sending' }).update({ lease_until: null, error, updated_at: db.fn.now() });
}
