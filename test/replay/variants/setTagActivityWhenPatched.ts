// The production workflows with one change in the patched branch of Set tag: it schedules a normal activity even when
// the run takes set-tag-local-activity's branch (its marker, or today's generation), where the current code runs a
// local activity. Runs recorded before the
// patch take the unpatched branch and still replay; runs recorded since (local-activity markers) must not. If no
// committed history took the patched branch, this variant would replay everything and the guard would not cover it.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../src/activities';
import { FailureTypes, type ActionActivityInput } from '../../../src/contract';
import { handlers } from '../../../src/actions/workflows';
import { failureMessage } from '../../../src/workflows/actions/failure';
import { SET_TAG_LOCAL } from '../../../src/actions/setTag/workflow';
import type { ActionHandler } from '../../../src/workflows/actions/types';

const setTagAsActivity: ActionHandler = async (node, run) => {
  const input: ActionActivityInput = {
    runKey: run.runKey,
    campaignId: run.input.campaignId,
    campaignVersion: run.input.campaignVersion,
    actionId: node.id,
    customerId: run.input.customerId,
  };
  const { setTag } = proxyActivities<Activities>({
    activityId: node.id,
    summary: `Set tag: action ${node.id}`,
    startToCloseTimeout: 30_000,
    retry: { initialInterval: 1_000, maximumInterval: 30_000, nonRetryableErrorTypes: [FailureTypes.badCampaign] },
  });
  try {
    // Both branches alike: the patch is still consulted (and its marker expected), only its new branch changed.
    if (run.takes(SET_TAG_LOCAL)) await setTag(input);
    else await setTag(input);
    return { outcome: { status: 'done' }, runChildren: true };
  } catch (err) {
    return { outcome: { status: 'failed', error: failureMessage(err) }, runChildren: false };
  }
};

// Swapped in this bundle only (the registry is a plain object; each bundle has its own copy of the module).
(handlers as { setTag: ActionHandler }).setTag = setTagAsActivity;

export { campaignRun, launchCampaign } from '../../../src/workflows';
