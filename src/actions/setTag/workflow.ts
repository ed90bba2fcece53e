import { isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { FailureTypes, type ActionActivityInput } from '../../contract';
import { failureMessage } from '../../workflows/actions/failure';
import type { ActionHandler } from '../../workflows/actions/types';
import { CANCEL_ENDS_RUN } from '../../workflows/versions';

/**
 * Since patch SET_TAG_LOCAL the tag is written by a local activity: one short, idempotent database update does not need
 * its own activity task, and skipping the task saves about a third of a campaign run's server work. Runs recorded
 * before the patch replay through the old branch. (README: "Replay tests" for how the patch is later retired.)
 */
export const SET_TAG_LOCAL = 'set-tag-local-activity';

const options = (node: { id: string }) => ({
  activityId: node.id,
  summary: `Set tag: action ${node.id}`,
  startToCloseTimeout: 30_000,
  retry: { initialInterval: 1_000, maximumInterval: 30_000, nonRetryableErrorTypes: [FailureTypes.badCampaign] },
});

// Set tag: adds a tag to the customer (idempotent), then its children run.
export const setTagHandler: ActionHandler = async (node, run) => {
  const input: ActionActivityInput = {
    runKey: run.runKey,
    campaignId: run.input.campaignId,
    campaignVersion: run.input.campaignVersion,
    actionId: node.id,
    customerId: run.input.customerId,
  };
  try {
    if (run.takes(SET_TAG_LOCAL)) await proxyLocalActivities<Activities>(options(node)).setTag(input);
    else await proxyActivities<Activities>(options(node)).setTag(input);
    return { outcome: { status: 'done' }, runChildren: true };
  } catch (err) {
    if (isCancellation(err) && run.takes(CANCEL_ENDS_RUN)) throw err;
    return { outcome: { status: 'failed', error: failureMessage(err) }, runChildren: false };
  }
};
