// The same change as extraActivity.ts behind patched(): old runs replay without the new activity, new runs get it.
import { patched, proxyActivities } from '@temporalio/workflow';
import { campaignRun as current } from '../../../src/workflows/campaignRun';
import type { CampaignRunInput, CampaignRunResult } from '../../../src/contract';

const { auditStart } = proxyActivities<{ auditStart(customerId: string): Promise<void> }>({ startToCloseTimeout: 10_000 });

export async function campaignRun(input: CampaignRunInput): Promise<CampaignRunResult> {
  if (patched('audit-start')) await auditStart(input.customerId);
  return current(input);
}
