import { CancellationScope, isCancellation, log, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ActionNode, FlowRecordInput } from '../../contract';
import type { HandlerResult, RunContext } from './types';

// The report's record of a flow action: a short, idempotent upsert, so a local activity (no task of its own). A
// database that stays away for long must not hold the customer back: after ten minutes of retries the run goes on
// without the record (the report then misses this customer at this action), and says so in the worker's log.
const { recordFlow } = proxyLocalActivities<Activities>({
  summary: 'Record a flow action for the report',
  startToCloseTimeout: 10_000,
  scheduleToCloseTimeout: 10 * 60_000,
  retry: { initialInterval: 1_000, maximumInterval: 30_000 },
});

/** Writes the report's row for a flow action: reached (outcome null, waiting until `untilMs`), or the branch it took. */
export async function record(node: ActionNode, run: RunContext, outcome: FlowRecordInput['outcome'], untilMs?: number): Promise<void> {
  const input: FlowRecordInput = {
    runKey: run.runKey,
    campaignId: run.input.campaignId,
    campaignVersion: run.input.campaignVersion,
    actionId: node.id,
    customerId: run.input.customerId,
    actionType: node.type,
    outcome,
    ...(untilMs !== undefined ? { waitingUntil: new Date(untilMs).toISOString() } : {}),
  };
  try {
    await recordFlow(input);
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('could not record a flow action for the report; going on without it', { actionId: node.id, error: String(err) });
  }
}

/**
 * Waits on a durable timer until `untilMs` (workflow time), then lets the children run. A moment already past goes on
 * at once, without a timer. A cancellation while waiting ends the run Cancelled, recorded as such.
 */
export async function waitUntilInstant(node: ActionNode, run: RunContext, untilMs: number, summary: string): Promise<HandlerResult> {
  if (untilMs <= Date.now()) {
    await record(node, run, 'continued');
    return { outcome: { status: 'done' }, runChildren: true };
  }
  await record(node, run, null, untilMs);
  run.progress.waiting(node.id, `${summary}: until ${new Date(untilMs).toISOString()}`, untilMs);
  // Workflow time has moved on while the record was written.
  const remaining = untilMs - Date.now();
  if (remaining > 0) {
    try {
      await sleep(remaining, { summary });
    } catch (err) {
      if (isCancellation(err)) await CancellationScope.nonCancellable(() => record(node, run, 'cancelled'));
      throw err;
    }
  }
  run.progress.doneWaiting(node.id);
  await record(node, run, 'continued');
  return { outcome: { status: 'done' }, runChildren: true };
}
