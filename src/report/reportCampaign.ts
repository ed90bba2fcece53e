// What the report says about the campaign itself: its name, the version whose tree orders the figures, and the versions
// the figures come from (a campaign changed between launches counts the runs of every version).
import { loadLatestCampaign } from '../db/campaigns';
import type { Db } from '../db/knex';
import type { CampaignGoal } from '../campaigns/types';
import { reportTree, type ReportTreeNode } from './tree';

export interface ReportCampaign {
  /** campaign text: escape it */
  name: string;
  /** the latest stored version: its tree orders the report */
  version: number;
  /** the versions whose runs the figures count, ascending */
  figureVersions: number[];
  /** the latest version's goal, which the per-variant figures count (absent: none) */
  goal?: CampaignGoal;
}

export async function loadReportCampaign(db: Db, campaignId: string): Promise<{ campaign: ReportCampaign; tree: ReportTreeNode[] } | null> {
  const stored = await loadLatestCampaign(db, campaignId);
  if (!stored) return null;
  const { rows } = await db.raw(
    `select campaign_version as v from send_ledger where campaign_id = ?
      union select campaign_version from flow_log where campaign_id = ?
      order by 1`,
    [campaignId, campaignId],
  );
  return {
    campaign: {
      name: stored.campaign.name,
      version: stored.version,
      figureVersions: rows.map((r: { v: number }) => r.v),
      ...(stored.campaign.goal ? { goal: stored.campaign.goal } : {}),
    },
    tree: reportTree(stored.campaign),
  };
}
