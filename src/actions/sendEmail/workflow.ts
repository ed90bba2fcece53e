import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import { RetryState, TimeoutType } from '@temporalio/common';
import type { Activities } from '../../activities';
import { describeSendWindow, FINAL_SEND_FAILURES, type ActionActivityInput, type ActionNode, type ActionOutcome } from '../../contract';
import { failureMessage } from '../../workflows/actions/failure';
import type { ActionHandler, RunContext } from '../../workflows/actions/types';
import { CANCEL_ENDS_RUN } from '../../workflows/versions';
import { awaitSendGridWord, closeSend } from './workflowSendGridWord';

/**
 * Since this patch, when the message lifetime runs out the ledger row is closed as `lifetime_expired` (or found sent, if
 * the last attempt's answer came in after all), instead of staying 'sending' for ever.
 */
export const RECORD_LIFETIME_EXPIRY = 'record-lifetime-expiry';

/**
 * Since this patch an e-mail whose run carries a send window waits, before sending, until the window is open. Only runs
 * with a window (a new input field) consult it, so runs without one record no marker and replay as before; and a run
 * with a window that a worker without this code began (it sent at once) replays through the old branch.
 */
export const SEND_WINDOW = 'send-window';

// The window's next opening needs the zone's rules (Intl's data, which change with Node releases): a local activity
// computes it, and its recorded result is what a replay reads.
const { sendWindowOpening } = proxyLocalActivities<Activities>({
  summary: 'When does the send window open?',
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 1_000, maximumInterval: 10_000 },
});

/**
 * Outside the window, a durable timer until it opens. Eligibility is decided after it, when the e-mail goes out, and
 * the message lifetime (the activity's schedule-to-close timeout) starts after it too: from the moment the window opens.
 */
export async function waitForSendWindow(node: ActionNode, run: RunContext): Promise<void> {
  const window = node.sendWindow!;
  const opening = await sendWindowOpening({ window, atMs: Date.now() });
  if (!opening) return;
  const note = `Waiting for the send window to open at ${opening.local} (${describeSendWindow(window)})`;
  run.progress.waiting(node.id, note, opening.atMs);
  const remaining = opening.atMs - Date.now();
  if (remaining > 0) await sleep(remaining, { summary: `Send window ${describeSendWindow(window)}: opens ${opening.local}` });
  run.progress.doneWaiting(node.id);
}

/**
 * The schedule-to-close timeout ended the activity: either while an attempt ran (a TimeoutFailure), or because the next
 * retry would have started after it (the server then gives the last attempt's failure, with retry state TIMEOUT).
 */
function lifetimeRanOut(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  if (err.retryState === RetryState.TIMEOUT) return true;
  return err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE;
}

// Send e-mail: children run only when the message was sent (delivery status does not matter for that).
export const sendEmailHandler: ActionHandler = async (node, run) => {
  if (node.sendWindow && run.takes(SEND_WINDOW)) await waitForSendWindow(node, run);
  const o = run.input.options ?? {};
  const lifetimeMs = o.messageLifetimeMs ?? 24 * 60 * 60_000;
  const lifetimeEndMs = Date.now() + lifetimeMs;
  const activities = (scheduleToCloseTimeout: number) =>
    proxyActivities<Activities>({
      activityId: node.id,
      // A campaign with a messages-per-minute limit sends through its own queue, which the server rate-limits.
      ...(run.input.sendTaskQueue ? { taskQueue: run.input.sendTaskQueue } : {}),
      summary: `Send e-mail: action ${node.id}`,
      startToCloseTimeout: o.sendAttemptTimeoutMs ?? 60_000,
      // An attempt heartbeats while it waits and while its request is out: a dead worker is noticed within seconds, and
      // a cancellation reaches the attempt.
      heartbeatTimeout: 10_000,
      // A cancelled run waits until the attempt has stopped (and recorded how its send ended), so that nothing goes out
      // after the run says Cancelled.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      // SmartCom's message lifetime: past it, the action fails instead of retrying for ever.
      scheduleToCloseTimeout,
      retry: {
        initialInterval: 1_000,
        backoffCoefficient: 2,
        maximumInterval: o.maxRetryIntervalMs ?? 60_000,
        nonRetryableErrorTypes: FINAL_SEND_FAILURES,
      },
    });
  const input: ActionActivityInput = {
    runKey: run.runKey,
    campaignId: run.input.campaignId,
    campaignVersion: run.input.campaignVersion,
    actionId: node.id,
    customerId: run.input.customerId,
  };
  // Runs of today's generation wait for SendGrid's word on a lost answer; older ones fail or resend at once.
  const awaitWord = run.current;
  let outcome: ActionOutcome;
  try {
    // An event for this send that comes in while the activity runs must wake the wait for SendGrid's word.
    const seen = run.emailEvents.get(node.id) ?? 0;
    const result = await activities(lifetimeMs).sendEmail(awaitWord ? { ...input, awaitWord: true } : input);
    outcome =
      result.status === 'unknown'
        ? await awaitSendGridWord(
            node,
            run,
            input,
            result,
            seen,
            (remainingMs) => activities(remainingMs).sendEmail({ ...input, awaitWord: true, resendUnknown: true }),
            lifetimeEndMs,
          )
        : result;
  } catch (err) {
    if (isCancellation(err) && run.takes(CANCEL_ENDS_RUN)) {
      // A send waiting between attempts (or for SendGrid's word) had no attempt to record the cancellation: close its
      // row, then end Cancelled.
      await CancellationScope.nonCancellable(() => closeSend(input, 'cancelled'));
      throw err;
    }
    // The ledger knows how the send ended (the last attempt's answer may have come in after all).
    outcome =
      lifetimeRanOut(err) && run.takes(RECORD_LIFETIME_EXPIRY)
        ? await closeSend(input, 'lifetime_expired')
        : { status: 'failed', error: failureMessage(err) };
  }
  run.progress.emailDecided(outcome);
  return { outcome, runChildren: outcome.status === 'sent' };
};
