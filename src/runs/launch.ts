// Client-side verbs for launches: start one (a workflow of its own) and watch it.
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { audienceSize, deleteLaunchList, recordLaunch, storeLaunchList, unknownCustomerIds } from '../db/audience';
import type { Db } from '../db/knex';
import {
  CampaignIdKey,
  LaunchIdKey,
  launchProgressQuery,
  launchWorkflowId,
  WorkflowTypes,
  type Audience,
  type LaunchCampaignWorkflow,
  type LaunchInput,
  type LaunchProgress,
  type RunOptions,
} from '../contract';

export { launchWorkflowId };

export function newLaunchId(now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
}

/** A mistake in what the user asked to launch (an empty or unknown id list): shown as one line, nothing started. */
export class LaunchInputError extends Error {
  override readonly name = 'LaunchInputError';
}

/**
 * Starts per page, and the most runs a launch keeps open. 500 open runs keep a worker busy with room to spare while the
 * launcher waits (it looks once a second); more only hold memory in the worker's workflow cache (measured: peak RSS
 * 340 MB at 500 against 400-440 MB at 1,000, at the same throughput). Always written into the launch's input: the
 * workflow's own fallbacks (200 and 1,000) stay as they were, for launches started before these values.
 */
export const LAUNCH_DEFAULTS = { pageSize: 100, maxInFlight: 500 } as const;

export interface StartLaunchArgs {
  client: Client;
  db: Db;
  /** the launches task queue (the launcher starts runs on the runs queue its worker was given) */
  launchTaskQueue: string;
  campaignId: string;
  campaignVersion: number;
  audience: Audience;
  /** for audience 'list' */
  customerIds?: string[];
  launchId?: string;
  pageSize?: number;
  /** pages per workflow run before continue-as-new (default 100) */
  pagesPerRun?: number;
  maxInFlight?: number;
  runOptions?: RunOptions;
}

export interface StartedLaunch {
  launchId: string;
  workflowId: string;
  firstRunId: string;
  audienceSize: number;
}

/**
 * Starts a launch, once: a launch id names one launch of a campaign. An id already used in the campaign (running or
 * ended) is refused with LaunchInputError and nothing is written. For a list audience the ids are stored first (the
 * workflow's first page reads them), in one transaction that refuses a second list for the same launch; if Temporal then
 * refuses the start (the id was taken meanwhile by a launch with no stored list), the list just stored is removed.
 */
export async function startLaunch(a: StartLaunchArgs): Promise<StartedLaunch> {
  const launchId = a.launchId ?? newLaunchId();
  const key = { campaignId: a.campaignId, launchId };
  const workflowId = launchWorkflowId(a.campaignId, launchId);
  const taken = (why: string) =>
    new LaunchInputError(`launch ${launchId} of campaign ${a.campaignId} already exists (${why}); nothing was launched or changed`);
  let ids: string[] | undefined;
  if (a.audience.kind === 'list') {
    ids = [...new Set(a.customerIds ?? [])];
    if (ids.length === 0) throw new LaunchInputError('the id list is empty');
    const unknown = await unknownCustomerIds(a.db, ids);
    if (unknown.length)
      throw new LaunchInputError(
        `unknown customer id(s), nothing launched: ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', ...' : ''}`,
      );
  }
  // Checked first for the clearer message (the launch's state); the store and the start below refuse on their own.
  const existing = await existingStatus(a.client, workflowId);
  if (existing) throw taken(existing);
  if (ids && !(await storeLaunchList(a.db, key, ids))) throw taken('its list is stored');
  const size = await audienceSize(a.db, key, a.audience);
  await recordLaunch(a.db, key);
  const input: LaunchInput = {
    launchId,
    campaignId: a.campaignId,
    campaignVersion: a.campaignVersion,
    audience: a.audience,
    pageSize: a.pageSize ?? LAUNCH_DEFAULTS.pageSize,
    ...(a.pagesPerRun ? { pagesPerRun: a.pagesPerRun } : {}),
    maxInFlight: a.maxInFlight ?? LAUNCH_DEFAULTS.maxInFlight,
    ...(a.runOptions ? { runOptions: a.runOptions } : {}),
    ...(ids ? { listScope: 'campaign' as const } : {}),
  };
  try {
    const handle = await a.client.workflow.start<LaunchCampaignWorkflow>(WorkflowTypes.launchCampaign, {
      taskQueue: a.launchTaskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `Launch ${launchId} of campaign ${a.campaignId} to ${describeAudience(a.audience)} (${size} customers)`,
      typedSearchAttributes: [
        { key: CampaignIdKey, value: a.campaignId },
        { key: LaunchIdKey, value: launchId },
      ],
    });
    return { launchId, workflowId, firstRunId: handle.firstExecutionRunId, audienceSize: size };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // the start may have happened: keep the list
    // The workflow that holds the id stored no list under this key (the store above would have refused), so the list
    // is ours alone and nothing reads it.
    if (ids) await deleteLaunchList(a.db, key);
    throw taken('started meanwhile');
  }
}

/** The launch workflow's status in lower case ("running", "completed", ...), or undefined when there is none. */
async function existingStatus(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name.toLowerCase().replace(/_/g, ' ');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export function describeAudience(a: Audience): string {
  return a.kind === 'all' ? 'all customers' : a.kind === 'tag' ? `customers tagged "${a.tag}"` : 'a list of customers';
}

export interface LaunchStatus {
  audienceSize: number;
  progress: LaunchProgress;
  finished: number;
  sent: number;
  skipped: number;
  failed: number;
  /** runs cancelled (campaign-runner stop) */
  cancelled: number;
  /** open runs that wait (a Wait, a Wait until, an e-mail outside its send window): WaitingUntil is ahead */
  waiting: number;
}

/** The launcher's own progress: its `launchProgress` query, answered by a launches worker. */
export async function launchProgress(client: Client, campaignId: string, launchId: string): Promise<LaunchProgress> {
  return client.workflow.getHandle<LaunchCampaignWorkflow>(launchWorkflowId(campaignId, launchId)).query(launchProgressQuery);
}

/**
 * Progress of a launch: the launcher's progress (asked with its query unless given), plus its runs' outcomes from
 * visibility (CampaignId, LaunchId, EmailOutcome).
 */
export async function launchStatus(
  client: Client,
  campaignId: string,
  launchId: string,
  audience: number,
  progress?: LaunchProgress,
): Promise<LaunchStatus> {
  // A launch id names a launch within its campaign: the same id in another campaign is another launch.
  const base = `CampaignId="${campaignId}" AND LaunchId="${launchId}" AND WorkflowType="campaignRun"`;
  const count = async (extra: string) => (await client.workflow.count(`${base} AND ${extra}`)).count;
  const [known, finished, sent, skipped, failed, cancelled, waiting] = await Promise.all([
    progress ?? launchProgress(client, campaignId, launchId),
    count('ExecutionStatus!="Running"'),
    count('EmailOutcome="sent"'),
    count('EmailOutcome="skipped"'),
    count('EmailOutcome="failed"'),
    count('ExecutionStatus="Canceled"'),
    count(`ExecutionStatus="Running" AND WaitingUntil > "${new Date().toISOString()}"`),
  ]);
  return { audienceSize: audience, progress: known, finished, sent, skipped, failed, cancelled, waiting };
}
