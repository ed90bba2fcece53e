// Which campaigns have a sends queue, and at what rate: the latest stored version's messages per minute (README
// "Messages per minute"). Kept by storeCampaign; read by every worker (src/temporal/sendQueues.ts).
import type { Knex } from 'knex';
import type { Db } from './knex';

export interface SendLimit {
  campaignId: string;
  /** null: the latest version has no limit (runs of earlier versions still send through the queue, unlimited) */
  messagesPerMinute: number | null;
}

/** Called in the transaction that stores a new version. */
export async function updateSendLimit(trx: Knex.Transaction, campaignId: string, messagesPerMinute: number | undefined): Promise<void> {
  if (messagesPerMinute) {
    await trx('campaign_send_limits')
      .insert({ campaign_id: campaignId, messages_per_minute: messagesPerMinute })
      .onConflict('campaign_id')
      .merge({ messages_per_minute: messagesPerMinute, updated_at: trx.fn.now() });
  } else {
    await trx('campaign_send_limits').where({ campaign_id: campaignId }).update({ messages_per_minute: null, updated_at: trx.fn.now() });
  }
}

export async function listSendLimits(db: Db): Promise<SendLimit[]> {
  const rows = await db('campaign_send_limits').select('campaign_id', 'messages_per_minute').orderBy('campaign_id');
  return rows.map((r) => ({ campaignId: r.campaign_id as string, messagesPerMinute: (r.messages_per_minute as number | null) ?? null }));
}
