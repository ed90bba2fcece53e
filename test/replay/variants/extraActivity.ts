// A deliberately incompatible change: one more activity before the campaign walk. Runs recorded without it cannot
// replay against this code.
import { proxyActivities } from '@temporalio/workflow';
import { campaignRun as current } from '../../../src/workflows/campaignRun';
import type { CampaignRunInput, CampaignRunResult } from '../../../src/contract';

const { auditStart } = proxyActivities<{ auditStart(customerId: string): Promise<void> }>({ startToCloseTimeout: 10_000 });

export async function campaignRun(input: CampaignRunInput): Promise<CampaignRunResult> {
  await auditStart(input.customerId);
  return current(input);
}
