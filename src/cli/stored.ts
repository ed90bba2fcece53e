import { loadCampaignVersion, loadLatestCampaign, type StoredCampaign } from '../db/campaigns';
import type { Db } from '../db/knex';
import { UsageError } from './context';
import { quote } from '../email/quote';

/** The stored campaign a command names: --campaign, and --campaign-version or else the latest. */
export async function loadStored(db: Db, id: string, version?: string): Promise<StoredCampaign> {
  if (version !== undefined) {
    const v = Number(version);
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--campaign-version: ${quote(version)} is not a version number`);
    const campaign = await loadCampaignVersion(db, id, v);
    if (!campaign) throw new UsageError(`--campaign: no stored campaign ${quote(id)} version ${v}`);
    return { campaign, version: v };
  }
  const stored = await loadLatestCampaign(db, id);
  if (!stored) throw new UsageError(`--campaign: no stored campaign ${quote(id)}`);
  return stored;
}
