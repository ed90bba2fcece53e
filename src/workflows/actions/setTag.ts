import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { FailureTypes } from '../types';
import { failureMessage } from './failure';
import type { ActionHandler } from './types';

// Set tag: adds a tag to the customer (idempotent), then its children run.
export const setTagHandler: ActionHandler = async (node, run) => {
  const { setTag } = proxyActivities<Activities>({
    activityId: node.id,
    summary: `Set tag: action ${node.id}`,
    startToCloseTimeout: 30_000,
    retry: { initialInterval: 1_000, maximumInterval: 30_000, nonRetryableErrorTypes: [FailureTypes.badCampaign] },
  });
  try {
    await setTag({
      runKey: run.runKey,
      campaignId: run.input.campaignId,
      campaignVersion: run.input.campaignVersion,
      actionId: node.id,
      customerId: run.input.customerId,
    });
    return { outcome: { status: 'done' }, runChildren: true };
  } catch (err) {
    return { outcome: { status: 'failed', error: failureMessage(err) }, runChildren: false };
  }
};
