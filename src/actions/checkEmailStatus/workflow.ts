import { CancellationScope, condition, isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { describeWaitDuration, waitDurationMs, type EmailStatusQuery, type EmailStatusReading } from '../../contract';
import type { ActionHandler } from '../../workflows/actions/types';
import { record } from '../../workflows/actions/waiting';

// A short read of the ledger, so a local activity. It retries for as long as it takes: the decision needs the truth,
// and a run has nothing better to do meanwhile.
const { emailStatus } = proxyLocalActivities<Activities>({
  summary: 'Read the checked e-mail status',
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 1_000, maximumInterval: 30_000 },
});

/** A click, or an e-mail that was never sent, cannot change any more: no reason to wait. */
const final = (r: EmailStatusReading) => !r.sent || r.status === 'clicked';

/**
 * Check e-mail status: reads the checked e-mail's status; with `waitUpTo`, waits until a click or the end of that window,
 * woken by the service's emailEvent signal whenever it stores an event for the e-mail. Every wake-up reads the status
 * again, and so does the deadline: a signal lost (the server down when the service sent it) only delays a click's
 * branch to the deadline, and never changes the decision. Then the children mapped to the status run.
 */
export const checkEmailStatusHandler: ActionHandler = async (node, run) => {
  const check = node.emailCheck;
  if (!check) return { outcome: { status: 'failed', error: 'the run has no settings for this Check e-mail status' }, runChildren: false };
  // machineOpens only when counted: the query (and so every history's local activity input) is otherwise as it was.
  const query: EmailStatusQuery = {
    runKey: run.runKey,
    emailActionId: check.emailActionId,
    ...(check.machineOpens === 'counted' ? { machineOpens: 'counted' as const } : {}),
  };
  const deadline = Date.now() + (check.waitUpTo ? waitDurationMs(check.waitUpTo) : 0);
  let reading = await emailStatus(query);
  if (!final(reading) && deadline > Date.now()) {
    const summary = `Wait up to ${describeWaitDuration(check.waitUpTo!)} for a click on ${check.emailActionId}`;
    await record(node, run, null, deadline);
    run.progress.waiting(node.id, `${summary}: until ${new Date(deadline).toISOString()}`, deadline);
    try {
      for (;;) {
        const seen = run.emailEvents.get(check.emailActionId) ?? 0;
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const signalled = await condition(() => (run.emailEvents.get(check.emailActionId) ?? 0) !== seen, remaining, { summary });
        reading = await emailStatus(query);
        if (!signalled || final(reading)) break;
      }
    } catch (err) {
      if (isCancellation(err)) await CancellationScope.nonCancellable(() => record(node, run, 'cancelled'));
      throw err;
    }
    if (Date.now() < deadline) run.progress.wokeEarly(node.id);
    else run.progress.doneWaiting(node.id);
  }
  const status = reading.sent ? reading.status : 'email_not_sent';
  await record(node, run, status);
  run.progress.emailStatusDecided(status);
  const children = Object.entries(check.branches)
    .filter(([, statuses]) => status !== 'email_not_sent' && statuses.includes(status))
    .map(([id]) => id);
  return { outcome: { status: 'done', emailStatus: status }, runChildren: children.length > 0, children };
};
