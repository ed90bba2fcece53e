// What the database knows about one customer's run of a campaign, for `campaign-runner why`: each e-mail's ledger row
// (with what the rules saw when they decided, when it was kept), SendGrid's events for it, and the flow actions' log.
import type { RuleInputs } from '../email/ruleInputs';
import type { Db } from './knex';

export interface SendHistory {
  actionId: string;
  campaignVersion: number;
  runKey: string;
  status: string;
  /** when eligibility was last decided (the claim that read the customer) */
  decidedAt: string | null;
  /** null: decided before the inputs were kept (or never decided: the row is still being sent) */
  inputs: RuleInputs | null;
  attempts: number;
  skipReasons: string[] | null;
  failureReason: string | null;
  error: string | null;
  messageId: string | null;
  possibleDuplicate: boolean;
  confirmedByEvent: string | null;
  updatedAt: string;
  /** SendGrid's events for this send (the recipient's and BCC copies'), in the order they happened */
  events: { event: string; at: string; matched: string; effects: string | null }[];
}

export interface FlowHistory {
  actionId: string;
  actionType: string;
  campaignVersion: number;
  outcome: string | null;
  reachedAt: string;
  finishedAt: string | null;
  waitingUntil: string | null;
}

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

/** The campaign's e-mails to this customer (one row per action, whichever run made it). */
export async function sendHistory(db: Db, campaignId: string, customerId: string): Promise<SendHistory[]> {
  const rows = await db('send_ledger')
    .where({ campaign_id: campaignId, customer_id: customerId, duplicate_run: false })
    .orderBy('id')
    .select(
      'id',
      'action_id',
      'campaign_version',
      'run_key',
      'status',
      'decided_at',
      'decision_inputs',
      'attempts',
      'skip_reasons',
      'failure_reason',
      'error',
      'provider_message_id',
      'possible_duplicate',
      'confirmed_by_event',
      'updated_at',
    );
  const ids = rows.map((r) => r.id);
  const events = ids.length
    ? await db('webhook_events')
        .whereIn('ledger_id', ids)
        .orderBy([{ column: 'event_at' }, { column: 'id' }])
        .select('ledger_id', 'event', 'event_at', 'matched', 'effects')
    : [];
  return rows.map((r) => ({
    actionId: r.action_id,
    campaignVersion: r.campaign_version,
    runKey: r.run_key,
    status: r.status,
    decidedAt: iso(r.decided_at),
    inputs: r.decision_inputs ?? null,
    attempts: r.attempts,
    skipReasons: r.skip_reasons ?? null,
    failureReason: r.failure_reason ?? null,
    error: r.error ?? null,
    messageId: r.provider_message_id ?? null,
    possibleDuplicate: r.possible_duplicate === true,
    confirmedByEvent: r.confirmed_by_event ?? null,
    updatedAt: iso(r.updated_at)!,
    events: events
      .filter((e) => String(e.ledger_id) === String(r.id))
      .map((e) => ({ event: e.event, at: iso(e.event_at)!, matched: e.matched, effects: e.effects ?? null })),
  }));
}

/** The campaign's flow actions (Wait, Wait until, Check e-mail status) this customer reached. */
export async function flowHistory(db: Db, campaignId: string, customerId: string): Promise<FlowHistory[]> {
  const rows = await db('flow_log')
    .where({ campaign_id: campaignId, customer_id: customerId })
    .orderBy('reached_at')
    .select('action_id', 'action_type', 'campaign_version', 'outcome', 'reached_at', 'finished_at', 'waiting_until');
  return rows.map((r) => ({
    actionId: r.action_id,
    actionType: r.action_type,
    campaignVersion: r.campaign_version,
    outcome: r.outcome ?? null,
    reachedAt: iso(r.reached_at)!,
    finishedAt: iso(r.finished_at),
    waitingUntil: iso(r.waiting_until),
  }));
}
