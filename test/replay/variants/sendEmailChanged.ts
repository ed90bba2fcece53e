// The production Send e-mail handler (src/actions/sendEmail/workflow.ts), copied command for command, with one of the
// branches that cancellation-ends-run, record-lifetime-expiry and the wait for SendGrid's word guard changed. Each variant entry installs it with its
// change; the replay tests assert that exactly the histories that took the changed branch fail, so every other history
// proves the copy otherwise issues what production issues. The send window's wait is production's own
// (waitForSendWindow): no variant changes it.
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import { RetryState, TimeoutType } from '@temporalio/common';
import type { Activities } from '../../../src/activities';
import { FINAL_SEND_FAILURES, type ActionActivityInput, type ActionOutcome } from '../../../src/contract';
import { handlers } from '../../../src/actions/workflows';
import { failureMessage } from '../../../src/workflows/actions/failure';
import { RECORD_LIFETIME_EXPIRY, SEND_WINDOW, waitForSendWindow } from '../../../src/actions/sendEmail/workflow';
import { awaitSendGridWord, closeSend } from '../../../src/actions/sendEmail/workflowSendGridWord';
import { CANCEL_ENDS_RUN } from '../../../src/workflows/versions';
import type { ActionHandler } from '../../../src/workflows/actions/types';

export type SendEmailChange =
  /** the code before cancellation-ends-run: a cancelled send fails the e-mail and the run completes */
  | 'cancellation-swallowed'
  /** the patch consulted, the run ends Cancelled, but the ledger row is not closed (no closeSend) */
  | 'cancelled-without-close'
  /** the patch consulted when the lifetime runs out, but the row is not closed (no closeSend) */
  | 'lifetime-not-closed'
  /** a run of today's generation, but an `unknown` answer fails the e-mail at once (no wait for SendGrid's word) */
  | 'word-not-awaited';

function lifetimeRanOut(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  if (err.retryState === RetryState.TIMEOUT) return true;
  return err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE;
}

function sendEmailHandler(change: SendEmailChange): ActionHandler {
  return async (node, run) => {
    if (node.sendWindow && run.takes(SEND_WINDOW)) await waitForSendWindow(node, run);
    const o = run.input.options ?? {};
    const lifetimeMs = o.messageLifetimeMs ?? 24 * 60 * 60_000;
    const lifetimeEndMs = Date.now() + lifetimeMs;
    const activities = (scheduleToCloseTimeout: number) =>
      proxyActivities<Activities>({
        activityId: node.id,
        ...(run.input.sendTaskQueue ? { taskQueue: run.input.sendTaskQueue } : {}),
        summary: `Send e-mail: action ${node.id}`,
        startToCloseTimeout: o.sendAttemptTimeoutMs ?? 60_000,
        heartbeatTimeout: 10_000,
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
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
    const awaitWord = run.current;
    let outcome: ActionOutcome;
    try {
      const seen = run.emailEvents.get(node.id) ?? 0;
      const result = await activities(lifetimeMs).sendEmail(awaitWord ? { ...input, awaitWord: true } : input);
      if (result.status !== 'unknown') outcome = result;
      else if (change === 'word-not-awaited') outcome = { status: 'failed', error: 'delivery_unknown' };
      else
        outcome = await awaitSendGridWord(
          node,
          run,
          input,
          result,
          seen,
          (remainingMs) => activities(remainingMs).sendEmail({ ...input, awaitWord: true, resendUnknown: true }),
          lifetimeEndMs,
        );
    } catch (err) {
      if (isCancellation(err) && change === 'cancellation-swallowed') {
        outcome = { status: 'failed', error: failureMessage(err) };
      } else if (isCancellation(err) && run.takes(CANCEL_ENDS_RUN)) {
        if (change !== 'cancelled-without-close') await CancellationScope.nonCancellable(() => closeSend(input, 'cancelled'));
        throw err;
      } else if (lifetimeRanOut(err) && run.takes(RECORD_LIFETIME_EXPIRY)) {
        outcome =
          change === 'lifetime-not-closed'
            ? { status: 'failed', error: 'message lifetime ran out (lifetime_expired)' }
            : await closeSend(input, 'lifetime_expired');
      } else {
        outcome = { status: 'failed', error: failureMessage(err) };
      }
    }
    run.progress.emailDecided(outcome);
    return { outcome, runChildren: outcome.status === 'sent' };
  };
}

/** Swaps the handler in this bundle only (the registry is a plain object; each bundle has its own copy of the module). */
export function installSendEmail(change: SendEmailChange): void {
  (handlers as { sendEmail: ActionHandler }).sendEmail = sendEmailHandler(change);
}
