// The flow log: which customers reached each flow action (Wait, Wait until) and which branch they took. Written by the
// run's recordFlow local activity, read by the report. Every write is idempotent: a retried local activity changes nothing.
import type { FlowRecordInput } from '../contract';
import type { Db } from './knex';

export async function recordFlow(db: Db, r: FlowRecordInput): Promise<void> {
  const row = {
    run_key: r.runKey,
    action_id: r.actionId,
    campaign_id: r.campaignId,
    campaign_version: r.campaignVersion,
    customer_id: r.customerId,
    action_type: r.actionType,
    outcome: r.outcome,
    waiting_until: r.waitingUntil ?? null,
    finished_at: r.outcome ? db.fn.now() : null,
  };
  // Reached first (outcome null), then finished; a finished row never goes back to waiting.
  await db('flow_log')
    .insert(row)
    .onConflict(['run_key', 'action_id'])
    .merge(r.outcome ? ['outcome', 'finished_at'] : ['waiting_until'])
    .where('flow_log.outcome', null);
}

export interface FlowCount {
  action_id: string;
  action_type: string;
  outcome: string | null;
  n: string;
}

export async function flowCounts(db: Db, campaignId: string): Promise<FlowCount[]> {
  return db('flow_log')
    .where({ campaign_id: campaignId })
    .groupBy('action_id', 'action_type', 'outcome')
    .select('action_id', 'action_type', 'outcome', db.raw('count(*) as n'))
    .orderBy('action_id');
}
