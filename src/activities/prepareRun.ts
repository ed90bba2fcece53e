// The check a run makes at its start (a local activity, so its answer is in the run's history): the campaign version it
// names is stored, and the tree a client handed in is that version's; a run started without one gets it here. A client
// other than ours (another SDK, the `temporal` CLI) can thus start a run with ids alone, and none can make a run walk a
// tree its campaign does not have.
import { ApplicationFailure } from '@temporalio/activity';
import { actionTree, sendTaskQueueOf, treeMismatch } from '../campaigns/runTree';
import { FailureTypes, type PrepareRunInput, type PreparedRun } from '../contract';
import type { CampaignCache } from './campaignCache';

const invalid = (message: string) => ApplicationFailure.nonRetryable(message, FailureTypes.invalidRunInput);

export function createPrepareRun(deps: { campaigns: CampaignCache }) {
  return async function prepareRun(i: PrepareRunInput): Promise<PreparedRun> {
    if (!Number.isInteger(i.campaignVersion)) throw invalid('campaignVersion is required: the stored version this run follows');
    const campaign = await deps.campaigns.campaign(i.campaignId, i.campaignVersion);
    if (!campaign) throw invalid(`campaign ${i.campaignId} has no stored version ${i.campaignVersion}`);
    const stored = actionTree(campaign);
    const sendTaskQueue = sendTaskQueueOf(campaign, i.taskQueue);
    if (i.sendTaskQueue !== undefined && i.sendTaskQueue !== sendTaskQueue)
      throw invalid(
        `sendTaskQueue must be ${sendTaskQueue ? `"${sendTaskQueue}"` : 'absent'} for campaign ${i.campaignId}, not "${i.sendTaskQueue}"`,
      );
    if (i.actions === undefined) return { actions: stored, ...(sendTaskQueue ? { sendTaskQueue } : {}) };
    const problem = treeMismatch(i.actions, stored);
    if (problem) throw invalid(`the run's actions are not those of campaign ${i.campaignId} version ${i.campaignVersion}: ${problem}`);
    return sendTaskQueue ? { sendTaskQueue } : {};
  };
}
