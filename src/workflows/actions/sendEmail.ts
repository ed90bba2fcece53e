import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { FailureTypes } from '../../contract';
import { failureMessage } from './failure';
import type { ActionHandler } from './types';

// Send e-mail: children run only when the message was sent (delivery status does not matter for that).
export const sendEmailHandler: ActionHandler = async (node, run) => {
  const o = run.input.options ?? {};
  const { sendEmail } = proxyActivities<Activities>({
    activityId: node.id,
    summary: `Send e-mail: action ${node.id}`,
    startToCloseTimeout: o.sendAttemptTimeoutMs ?? 60_000,
    // SmartCom's message lifetime: past it, the action fails instead of retrying for ever.
    scheduleToCloseTimeout: o.messageLifetimeMs ?? 24 * 60 * 60_000,
    retry: {
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: o.maxRetryIntervalMs ?? 60_000,
      nonRetryableErrorTypes: [FailureTypes.rejected, FailureTypes.badCampaign],
    },
  });
  try {
    const result = await sendEmail({
      runKey: run.runKey,
      campaignId: run.input.campaignId,
      campaignVersion: run.input.campaignVersion,
      actionId: node.id,
      customerId: run.input.customerId,
    });
    run.progress.emailDecided(result);
    return { outcome: result, runChildren: result.status === 'sent' };
  } catch (err) {
    const outcome = { status: 'failed', error: failureMessage(err) } as const;
    run.progress.emailDecided(outcome);
    return { outcome, runChildren: false };
  }
};
