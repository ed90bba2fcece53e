// Another harmless-looking change that breaks runs in flight: the root actions run one after another instead of
// concurrently, which changes the order of commands.
import { patched, workflowInfo } from '@temporalio/workflow';
import { handlerFor } from '../../../src/actions/workflows';
import { ProgressTracker } from '../../../src/workflows/progress';
import type { ActionNode, ActionOutcome, CampaignRunInput, CampaignRunResult } from '../../../src/contract';

export async function campaignRun(input: CampaignRunInput): Promise<CampaignRunResult> {
  const progress = new ProgressTracker(0);
  const run = {
    input,
    runKey: workflowInfo().workflowId,
    progress,
    emailEvents: new Map<string, number>(),
    current: false,
    takes: patched,
  };
  const outcomes = new Map<string, ActionOutcome>();
  const walk = async (node: ActionNode): Promise<void> => {
    const { outcome, runChildren } = await handlerFor(node.type)!(node, run);
    outcomes.set(node.id, outcome);
    if (runChildren) for (const c of node.children) await walk(c);
  };
  for (const root of input.actions ?? []) await walk(root);
  return { campaignId: input.campaignId, campaignVersion: input.campaignVersion, customerId: input.customerId, actions: [] };
}
