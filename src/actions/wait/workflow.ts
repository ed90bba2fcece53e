import { describeWaitDuration, waitDurationMs } from '../../contract';
import type { ActionHandler } from '../../workflows/actions/types';
import { waitUntilInstant } from '../../workflows/actions/waiting';

// Wait: a durable timer for the action's duration ("Wait 3 days" in Temporal Web), then the children run.
export const waitHandler: ActionHandler = async (node, run) => {
  if (!node.wait) return { outcome: { status: 'failed', error: 'the run has no duration for this Wait' }, runChildren: false };
  return waitUntilInstant(node, run, Date.now() + waitDurationMs(node.wait), `Wait ${describeWaitDuration(node.wait)}`);
};
