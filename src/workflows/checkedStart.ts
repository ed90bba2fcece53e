// What a run of today's generation (RUN_2026_12) checks at its start: that it runs under its own workflow id and that its input names a
// stored campaign version whose tree it then walks. The promise "one run per campaign and customer, never a message
// twice" holds whatever client starts the run: a run under another id (a client that let Temporal pick one) is refused
// before it does anything, and so is an input whose tree its campaign does not have.
import { ApplicationFailure, isCancellation, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { campaignRunWorkflowId, FailureTypes, type ActionNode, type CampaignRunInput } from '../contract';
import { failureMessage } from './actions/failure';

// Reads the stored version (cached by each worker): short, so local. A database blip is retried; a wrong input is not.
const { prepareRun } = proxyLocalActivities<Activities>({
  summary: 'Check the run against its stored campaign',
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 1_000, maximumInterval: 30_000, nonRetryableErrorTypes: [FailureTypes.invalidRunInput] },
});

const invalid = (message: string) => ApplicationFailure.nonRetryable(message, FailureTypes.invalidRunInput);

/** The run's tree and sends queue, checked; throws a failure that ends the run at once when the run may not go on. */
export async function checkedStart(input: CampaignRunInput): Promise<{ actions: ActionNode[]; sendTaskQueue?: string }> {
  if (typeof input !== 'object' || input === null)
    throw invalid('the input must be an object: { campaignId, campaignVersion, customerId }');
  for (const field of ['campaignId', 'customerId'] as const)
    if (typeof input[field] !== 'string' || input[field] === '') throw invalid(`${field} is required (a string)`);
  const { workflowId, taskQueue } = workflowInfo();
  const expected = campaignRunWorkflowId(input.campaignId, input.customerId);
  if (workflowId !== expected)
    throw invalid(
      `a campaign run's workflow id must be "${expected}" (one run per campaign and customer), not "${workflowId}": start it under that id`,
    );
  try {
    const prepared = await prepareRun({
      campaignId: input.campaignId,
      campaignVersion: input.campaignVersion,
      taskQueue,
      ...(input.actions !== undefined ? { actions: input.actions } : {}),
      ...(input.sendTaskQueue !== undefined ? { sendTaskQueue: input.sendTaskQueue } : {}),
    });
    return { actions: prepared.actions ?? input.actions!, ...(prepared.sendTaskQueue ? { sendTaskQueue: prepared.sendTaskQueue } : {}) };
  } catch (err) {
    if (isCancellation(err)) throw err;
    throw invalid(failureMessage(err));
  }
}
