import { createHash } from 'node:crypto';
import type { Campaign } from '../campaigns/types';
import type { Db } from './knex';
import { updateSendLimit } from './sendLimits';

export interface StoredCampaign {
  campaign: Campaign;
  version: number;
}

function checksum(c: Campaign): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex');
}

/**
 * Stores a validated campaign as a new immutable version, unless it equals the latest one (then that version is reused),
 * so storing the same file twice does not create versions nobody asked for.
 */
export async function storeCampaign(db: Db, campaign: Campaign): Promise<StoredCampaign & { created: boolean }> {
  const sum = checksum(campaign);
  return db.transaction(async (trx) => {
    const head = await trx('campaigns').where({ id: campaign.id }).forUpdate().first();
    if (head) {
      const latest = await trx('campaign_versions').where({ campaign_id: campaign.id, version: head.latest_version }).first('checksum');
      if (latest?.checksum === sum) return { campaign, version: head.latest_version as number, created: false };
    }
    const version = head ? (head.latest_version as number) + 1 : 1;
    if (head) {
      await trx('campaigns').where({ id: campaign.id }).update({ name: campaign.name, latest_version: version, updated_at: trx.fn.now() });
    } else {
      await trx('campaigns').insert({ id: campaign.id, name: campaign.name, latest_version: version });
    }
    await trx('campaign_versions').insert({ campaign_id: campaign.id, version, document: JSON.stringify(campaign), checksum: sum });
    await updateSendLimit(trx, campaign.id, campaign.messagesPerMinute);
    return { campaign, version, created: true };
  });
}

export async function loadCampaignVersion(db: Db, id: string, version: number): Promise<Campaign | null> {
  const row = await db('campaign_versions').where({ campaign_id: id, version }).first('document');
  return row ? (row.document as Campaign) : null;
}

export async function loadLatestCampaign(db: Db, id: string): Promise<StoredCampaign | null> {
  const head = await db('campaigns').where({ id }).first('latest_version');
  if (!head) return null;
  const campaign = await loadCampaignVersion(db, id, head.latest_version);
  return campaign ? { campaign, version: head.latest_version } : null;
}
