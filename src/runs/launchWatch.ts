// Watching a launch to its end: its progress about once a second, and, as soon as the launcher stops without completing
// (failed, terminated, cancelled, timed out), why.
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { launchWorkflowId, type LaunchCampaignWorkflow, type LaunchProgress } from '../contract';
import { launchProgress, launchStatus, type LaunchStatus } from './launch';

/** The launcher stopped without completing: the message is one line saying which launch and why. */
export class LaunchEndedError extends Error {
  override readonly name = 'LaunchEndedError';
}

/** Why a launch workflow did not complete, as one line; `err` is what its result threw. */
export function launchEndedError(campaignId: string, launchId: string, err: unknown): Error {
  if (!(err instanceof WorkflowFailedError)) return err instanceof Error ? err : new Error(String(err));
  const launch = `launch ${launchId} of campaign ${campaignId}`;
  const cause = err.cause;
  if (cause instanceof TerminatedFailure) {
    // The SDK puts this text in place of a reason when the terminate request gave none.
    const reason = cause.message && cause.message !== 'Workflow execution terminated' ? `: ${cause.message}` : '';
    return new LaunchEndedError(`${launch} was terminated${reason}`);
  }
  if (cause instanceof CancelledFailure) return new LaunchEndedError(`${launch} was cancelled`);
  if (cause instanceof TimeoutFailure) return new LaunchEndedError(`${launch} timed out`);
  // A failed page arrives as ActivityFailure("Activity task failed") around the activity's own failure: name the root.
  let root: Error | undefined = cause;
  while (root?.cause instanceof Error) root = root.cause;
  const type = root instanceof ApplicationFailure && root.type ? ` (${root.type})` : '';
  return new LaunchEndedError(`${launch} failed: ${root?.message ?? err.message}${type}`);
}

/** Resolves with the launcher's final progress once it completes (across continue-as-new); else LaunchEndedError. */
export async function launchOutcome(client: Client, campaignId: string, launchId: string): Promise<LaunchProgress> {
  try {
    return await client.workflow.getHandle<LaunchCampaignWorkflow>(launchWorkflowId(campaignId, launchId)).result();
  } catch (err) {
    throw launchEndedError(campaignId, launchId, err);
  }
}

const QUERY_WAIT_MS = 10_000;
const NOTHING_YET: LaunchProgress = { cursor: null, started: 0, alreadyEnrolled: 0, pages: 0, done: false };

/**
 * Calls `onStatus` about every `intervalMs` until the launcher has completed and every run it started has finished or
 * is waiting (the last call has `last` true), and returns that status. Throws LaunchEndedError as soon as the launcher fails, is
 * terminated, cancelled or times out: its result is awaited alongside the polling, so an ended launch is noticed
 * whether or not a worker could still answer its progress query.
 */
export async function watchLaunch(
  client: Client,
  campaignId: string,
  launchId: string,
  audienceSize: number,
  onStatus: (s: LaunchStatus, last: boolean) => void,
  intervalMs = 1000,
): Promise<LaunchStatus> {
  const stop = new AbortController();
  const scoped = <T>(fn: () => Promise<T>) => client.withAbortSignal(stop.signal, fn);
  let outcome: { progress: LaunchProgress } | { error: unknown } | undefined;
  const ended = scoped(() => launchOutcome(client, campaignId, launchId)).then(
    (progress) => void (outcome = { progress }),
    (error: unknown) => void (outcome = { error }),
  );
  let progress = NOTHING_YET;
  try {
    for (;;) {
      if (!outcome) {
        // The query waits for a launches worker, and none may answer (none running, or the launcher just ended): it
        // gets 10 s, the bar keeps the last progress it had, and the launcher's end does not wait for the query.
        const asked = await Promise.race([
          scoped(() => client.withDeadline(Date.now() + QUERY_WAIT_MS, () => launchProgress(client, campaignId, launchId))).catch(
            () => undefined,
          ),
          ended.then(() => undefined),
        ]);
        if (asked) progress = asked;
      }
      if (outcome && 'error' in outcome) throw outcome.error;
      if (outcome) progress = outcome.progress;
      const status = await launchStatus(client, campaignId, launchId, audienceSize, progress);
      // Runs that wait (for days, perhaps) are not waited for: the report counts them as waiting.
      const last = progress.done && status.finished + status.waiting >= progress.started;
      onStatus(status, last);
      if (last) return status;
      let timer: NodeJS.Timeout | undefined;
      const pause = new Promise((r) => (timer = setTimeout(r, intervalMs)));
      await Promise.race(outcome ? [pause] : [pause, ended]);
      clearTimeout(timer);
    }
  } finally {
    // Cancels the result's long poll and any query still waiting for a worker.
    stop.abort();
  }
}
