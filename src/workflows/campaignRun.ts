import { setHandler, workflowInfo } from '@temporalio/workflow';
import { progressQuery, type ActionNode, type ActionOutcome, type ActionResult, type CampaignRunWorkflow } from '../contract';
import { handlerFor } from './actions';
import type { RunContext } from './actions/types';
import { ProgressTracker } from './progress';

// Validation caps campaigns far below this; the guard keeps a malformed input from walking without end.
const MAX_VISITS = 1000;

/** One customer's pass through one campaign. Siblings run concurrently; a node's children run only if it allows. */
export const campaignRun: CampaignRunWorkflow = async (input) => {
  const progress = new ProgressTracker(countActions(input.actions));
  setHandler(progressQuery, () => progress.snapshot());
  const run: RunContext = { input, runKey: workflowInfo().workflowId, progress };
  const outcomes = new Map<string, ActionOutcome>();
  let visits = 0;

  async function runAction(node: ActionNode): Promise<void> {
    if (++visits > MAX_VISITS) {
      outcomes.set(node.id, { status: 'failed', error: `campaign exceeds ${MAX_VISITS} actions` });
      return;
    }
    const handler = handlerFor(node.type);
    if (!handler) {
      const outcome = { status: 'failed', error: `unknown action type "${node.type}"` } as const;
      outcomes.set(node.id, outcome);
      progress.finishedAction(node.id, node.type, outcome);
      return;
    }
    progress.started(node.id, node.type);
    const { outcome, runChildren } = await handler(node, run);
    outcomes.set(node.id, outcome);
    progress.finishedAction(node.id, node.type, outcome);
    if (runChildren && node.children.length > 0) await runAll(node.children);
  }

  // Siblings start together, in order. A single node (the common case) is awaited directly: Promise.all would add
  // promises, and the SDK captures a stack trace for every promise a workflow creates.
  function runAll(nodes: ActionNode[]): Promise<unknown> {
    return nodes.length === 1 ? runAction(nodes[0]) : Promise.all(nodes.map(runAction));
  }

  await runAll(input.actions);

  const actions: ActionResult[] = [];
  const collect = (nodes: ActionNode[]) => {
    for (const n of nodes) {
      actions.push({ actionId: n.id, type: n.type, outcome: outcomes.get(n.id) ?? { status: 'not_run' } });
      collect(n.children);
    }
  };
  collect(input.actions);
  return { campaignId: input.campaignId, campaignVersion: input.campaignVersion, customerId: input.customerId, actions };
};

function countActions(nodes: ActionNode[]): number {
  return nodes.reduce((n, a) => n + 1 + countActions(a.children), 0);
}
