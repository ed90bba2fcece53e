import { setHandler, workflowInfo } from '@temporalio/workflow';
import {
  emailEventSignal,
  progressQuery,
  type ActionNode,
  type ActionOutcome,
  type ActionResult,
  type CampaignRunInput,
  type CampaignRunWorkflow,
} from '../contract';
import { checkedStart } from './checkedStart';
import { currentGeneration, takes } from './versions';
import { handlerFor } from '../actions/workflows';
import type { RunContext } from './actions/types';
import { ProgressTracker } from './progress';

// Validation caps campaigns far below this; the guard keeps a malformed input from walking without end.
const MAX_VISITS = 1000;

/** One customer's pass through one campaign. Siblings run concurrently; a node's children run only if it allows. */
export const campaignRun: CampaignRunWorkflow = async (given) => {
  const progress = new ProgressTracker(countActions(given?.actions ?? []));
  setHandler(progressQuery, () => progress.snapshot());
  let input: CampaignRunInput & { actions: ActionNode[] } = { ...given, actions: given?.actions ?? [] };
  const current = currentGeneration();
  if (current) {
    const checked = await checkedStart(given);
    input = { ...given, ...checked };
    progress.setTotal(countActions(checked.actions));
  }
  const run: RunContext = {
    input,
    runKey: workflowInfo().workflowId,
    progress,
    emailEvents: new Map(),
    current,
    takes: (patch) => takes({ current }, patch),
  };
  // The service's word that it stored an event for one of this run's e-mails: a Check e-mail status waiting on that
  // e-mail reads its status again. A signal with no action id is ignored; one no check waits for changes nothing.
  setHandler(emailEventSignal, (s) => {
    if (typeof s?.actionId === 'string') run.emailEvents.set(s.actionId, (run.emailEvents.get(s.actionId) ?? 0) + 1);
  });
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
    const { outcome, runChildren, children } = await handler(node, run);
    outcomes.set(node.id, outcome);
    progress.finishedAction(node.id, node.type, outcome);
    const next = children ? node.children.filter((c) => children.includes(c.id)) : node.children;
    if (runChildren && next.length > 0) await runAll(next);
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
