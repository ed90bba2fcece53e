// Client-side verbs for campaign runs: start one (idempotently) and read its result.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Campaign } from '../campaigns/types';
import { actionTree, sendTaskQueueOf } from '../campaigns/runTree';
import {
  CampaignIdKey,
  campaignRunWorkflowId,
  CustomerIdKey,
  LaunchIdKey,
  WorkflowTypes,
  type CampaignRunInput,
  type CampaignRunResult,
  type CampaignRunWorkflow,
  type RunOptions,
} from '../contract';
import { mapBounded } from './bounded';

export interface StartRunArgs {
  client: Client;
  taskQueue: string;
  campaign: Campaign;
  campaignVersion: number;
  customerId: string;
  options?: RunOptions;
  /** set when a launch workflow started the run */
  launchId?: string;
  /** requestEagerStart: only with a client on a NativeConnection shared with a runs worker */
  eagerStart?: boolean;
}

export interface StartedRun {
  workflowId: string;
  runId: string | undefined;
  /** false when this (campaign, customer) pair had already been enrolled (running or finished) */
  started: boolean;
}

export async function startCampaignRun(a: StartRunArgs): Promise<StartedRun> {
  const workflowId = campaignRunWorkflowId(a.campaign.id, a.customerId);
  const input: CampaignRunInput = {
    campaignId: a.campaign.id,
    campaignVersion: a.campaignVersion,
    customerId: a.customerId,
    actions: actionTree(a.campaign),
    ...(a.options ? { options: a.options } : {}),
    ...(a.campaign.messagesPerMinute ? { sendTaskQueue: sendTaskQueueOf(a.campaign, a.taskQueue) } : {}),
  };
  try {
    const handle = await a.client.workflow.start<CampaignRunWorkflow>(WorkflowTypes.campaignRun, {
      taskQueue: a.taskQueue,
      workflowId,
      args: [input],
      // A customer passes through a campaign once: starting the pair again, while it runs or after, enrols nobody.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...(a.eagerStart ? { requestEagerStart: true } : {}),
      staticSummary: `Campaign ${a.campaign.id}, customer ${a.customerId}`,
      typedSearchAttributes: [
        { key: CampaignIdKey, value: a.campaign.id },
        { key: CustomerIdKey, value: a.customerId },
        ...(a.launchId ? [{ key: LaunchIdKey, value: a.launchId }] : []),
      ],
    });
    return { workflowId, runId: handle.firstExecutionRunId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, runId: undefined, started: false };
    throw err;
  }
}

export async function runResult(client: Client, workflowId: string): Promise<CampaignRunResult> {
  return client.workflow.getHandle<CampaignRunWorkflow>(workflowId).result();
}

/**
 * How many run results a client waits for at once. Each wait is a long poll that the server counts against the
 * namespace's concurrent poller limit (the frontend's namespaceCount, 1,200 by default), which the workers' own pollers
 * share: thousands of waits at once made it refuse the workers' polls with RESOURCE_EXHAUSTED (issue 28).
 */
export const RESULT_WAITS_AT_ONCE = 50;

/** The results of many runs, in the order of `workflowIds`, waiting for at most `concurrency` at a time. */
export async function runResults(client: Client, workflowIds: string[], concurrency = RESULT_WAITS_AT_ONCE): Promise<CampaignRunResult[]> {
  return mapBounded(workflowIds, concurrency, (id) => runResult(client, id));
}

/** Starts runs for many customers with bounded concurrency; results come back in the order of `customerIds`. */
export async function startCampaignRuns(
  base: Omit<StartRunArgs, 'customerId'>,
  customerIds: string[],
  concurrency = 20,
  onStarted?: (done: number) => void,
  /** checked before each start: true stops starting (the runs already started are returned, the rest left empty) */
  shouldStop?: () => boolean,
): Promise<StartedRun[]> {
  let done = 0;
  return mapBounded(
    customerIds,
    concurrency,
    async (customerId) => {
      const started = await startCampaignRun({ ...base, customerId });
      onStarted?.(++done);
      return started;
    },
    shouldStop,
  );
}
