// The stop switch (`campaign-runner stop`): what an operator does when a campaign goes out with a mistake. It cancels the
// campaign's launches first (so nothing new starts), waits until each has closed (a launch closes only once its page
// has stopped starting runs), then cancels every open run of the campaign (or of one launch) and waits until each has
// closed: a run cancelled mid-send drops its request and records the send as cancelled, so once this returns no
// e-mail of the campaign goes out. Idempotent: a second stop finds nothing open.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { launchWorkflowId, type LaunchInput } from '../contract';
import { audienceSize } from '../db/audience';
import type { Db } from '../db/knex';

export interface StopArgs {
  client: Client;
  db: Db;
  campaignId: string;
  /** only this launch and its runs; default: every launch and every run of the campaign */
  launchId?: string;
  /** progress as it goes */
  log?: (line: string) => void;
  /** how long to wait for a cancelled launch or run to close (it needs a worker); default 120 s */
  closeTimeoutMs?: number;
}

/** A cancelled workflow did not close in time: no worker is serving its task queue. Nothing was undone. */
export class StopTimeoutError extends Error {
  override readonly name = 'StopTimeoutError';
}

export interface LaunchStopFigures {
  launchId: string;
  /** customers in the launch's audience */
  audience: number;
  /** runs this launch started */
  started: number;
  /** audience members this launch never started a run for (stopped first, or already enrolled earlier) */
  notStarted: number;
}

export interface StopSummary {
  campaignId: string;
  launchId?: string;
  /** launches that were running and are now cancelled */
  launchesCancelled: string[];
  /** runs that were open and are now cancelled */
  runsCancelled: number;
  /** runs of the campaign (or launch) in each final state, after the stop */
  runs: { completed: number; cancelled: number; failed: number; terminated: number; running: number };
  launches: LaunchStopFigures[];
}

const quote = (s: string) => JSON.stringify(s);

/** Visibility is eventually consistent: an open run is looked for until two looks a second apart find none. */
const SETTLE_MS = 1000;

export async function stopCampaign(a: StopArgs): Promise<StopSummary> {
  const { client } = a;
  const log = a.log ?? (() => undefined);
  const scope = `CampaignId=${quote(a.campaignId)}${a.launchId ? ` AND LaunchId=${quote(a.launchId)}` : ''}`;

  // 1. The launches: no more starts.
  const launchesCancelled: string[] = [];
  const openLaunches = a.launchId
    ? [launchWorkflowId(a.campaignId, a.launchId)]
    : await ids(client, `${scope} AND WorkflowType="launchCampaign" AND ExecutionStatus="Running"`);
  for (const workflowId of openLaunches) {
    const handle = client.workflow.getHandle(workflowId);
    const status = await handle.describe().then(
      (d) => d.status.name,
      (err) => (err instanceof WorkflowNotFoundError ? 'NOT_FOUND' : Promise.reject(err)),
    );
    if (status !== 'RUNNING') continue;
    await handle.cancel();
    await closed(a, workflowId, handle.result()); // closes once its page stopped starting runs
    launchesCancelled.push(workflowId.split(':').slice(2).join(':'));
    log(`launch ${workflowId}: cancelled`);
  }

  // 2. The runs: every open one, until none is left.
  const cancelledIds = new Set<string>();
  let quiet = 0;
  while (quiet < 2) {
    const open = await ids(client, `${scope} AND WorkflowType="campaignRun" AND ExecutionStatus="Running"`);
    const fresh = open.filter((id) => !cancelledIds.has(id));
    if (fresh.length === 0 && open.length === 0) {
      quiet++;
      if (quiet < 2) await new Promise((r) => setTimeout(r, SETTLE_MS));
      continue;
    }
    quiet = 0;
    await inBatches(fresh, 50, async (id) => {
      const handle = client.workflow.getHandle(id);
      try {
        await handle.cancel();
        cancelledIds.add(id);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err; // closed meanwhile: nothing to stop
      }
    });
    // A run closes once its e-mail attempt has stopped (and recorded that it sent nothing).
    await inBatches(open, 50, (id) => closed(a, id, client.workflow.getHandle(id).result()));
    if (fresh.length) log(`runs: ${cancelledIds.size} cancelled so far`);
  }

  // 3. What the campaign (or launch) looks like now.
  const count = async (extra: string) => (await client.workflow.count(`${scope} AND WorkflowType="campaignRun" AND ${extra}`)).count;
  const [completed, cancelled, failed, terminated, running] = await Promise.all(
    ['Completed', 'Canceled', 'Failed', 'Terminated', 'Running'].map((s) => count(`ExecutionStatus=${quote(s)}`)),
  );
  const launchIds = a.launchId
    ? [a.launchId]
    : (await ids(client, `${scope} AND WorkflowType="launchCampaign"`)).map((id) => id.split(':').slice(2).join(':'));
  const launches: LaunchStopFigures[] = [];
  for (const launchId of [...new Set(launchIds)].sort()) {
    const figures = await launchFigures(a, launchId);
    if (figures) launches.push(figures);
  }
  return {
    campaignId: a.campaignId,
    ...(a.launchId ? { launchId: a.launchId } : {}),
    launchesCancelled,
    runsCancelled: cancelledIds.size,
    runs: { completed, cancelled, failed, terminated, running },
    launches,
  };
}

async function launchFigures(a: StopArgs, launchId: string): Promise<LaunchStopFigures | null> {
  const handle = a.client.workflow.getHandle(launchWorkflowId(a.campaignId, launchId));
  let input: LaunchInput;
  try {
    // The first run's input holds the audience's definition (a list itself stays in Postgres).
    const history = await handle.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return null;
    input = defaultPayloadConverter.fromPayload<LaunchInput>(payload);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const audience = await audienceSize(a.db, { campaignId: a.campaignId, launchId, legacy: input.listScope !== 'campaign' }, input.audience);
  const { count: started } = await a.client.workflow.count(
    `CampaignId=${quote(a.campaignId)} AND LaunchId=${quote(launchId)} AND WorkflowType="campaignRun"`,
  );
  return { launchId, audience, started, notStarted: Math.max(audience - started, 0) };
}

/** Waits until a workflow has closed, however it ended; a worker must be there to close it. */
async function closed(a: StopArgs, workflowId: string, result: Promise<unknown>): Promise<void> {
  const ms = a.closeTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StopTimeoutError(
            `${workflowId} was asked to stop but did not close within ${ms / 1000} s: is a worker running? Run stop again once one is.`,
          ),
        ),
      ms,
    );
  });
  try {
    await Promise.race([
      result.then(
        () => undefined,
        () => undefined,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function ids(client: Client, query: string): Promise<string[]> {
  const out: string[] = [];
  for await (const w of client.workflow.list({ query })) out.push(w.workflowId);
  return out;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export function formatStop(s: StopSummary): string {
  const what = s.launchId ? `launch ${s.launchId} of campaign ${s.campaignId}` : `campaign ${s.campaignId}`;
  const lines = [
    s.launchesCancelled.length || s.runsCancelled
      ? `stopped ${what}: ${s.launchesCancelled.length} launch(es) cancelled${s.launchesCancelled.length ? ` (${s.launchesCancelled.join(', ')})` : ''}, ${s.runsCancelled} open run(s) cancelled`
      : `nothing to stop for ${what}: no launch and no run was open`,
    `runs: ${s.runs.completed} completed, ${s.runs.cancelled} cancelled, ${s.runs.failed} failed, ${s.runs.terminated} terminated, ${s.runs.running} running`,
    ...s.launches.map((l) => `launch ${l.launchId}: audience ${l.audience}, runs started ${l.started}, never started ${l.notStarted}`),
  ];
  return lines.join('\n');
}
