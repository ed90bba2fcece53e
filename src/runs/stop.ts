// The stop switch (`campaign-runner stop`): what an operator does when a campaign goes out with a mistake. It cancels the
// campaign's launches first (so nothing new starts), waits until each has closed (a launch closes only once its page
// has stopped starting runs), then cancels every run a launch started or could have started, by its deterministic
// workflow id (visibility lags behind starts, so a run started a moment ago may not be listed yet), and then every open
// run visibility lists (runs started outside a launch), and waits until each has closed: a run cancelled mid-send waits
// for SendGrid's answer and records it, so once this returns no e-mail of the campaign goes out and the ledger says
// what did. Idempotent: a second stop finds nothing open.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { campaignRunWorkflowId, launchWorkflowId, type LaunchInput, type LaunchPageInput } from '../contract';
import { audiencePage, audienceSize, recordedLaunches, type LaunchListKey } from '../db/audience';
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
  /** runs of the campaign (or launch) in each final state, after the stop, as visibility lists them */
  runs: { completed: number; cancelled: number; failed: number; terminated: number; running: number };
  /** runs this stop saw closed that visibility still lists as running (it lags behind) */
  visibilityLag?: number;
  launches: LaunchStopFigures[];
}

const quote = (s: string) => JSON.stringify(s);

/** Cancels this many runs at once, and waits for this many to close at once. */
const CONCURRENCY = 50;

/** Visibility is eventually consistent: an open run is looked for until two looks a second apart find none. */
const SETTLE_MS = 1000;

export async function stopCampaign(a: StopArgs): Promise<StopSummary> {
  const { client } = a;
  const log = a.log ?? (() => undefined);
  const scope = `CampaignId=${quote(a.campaignId)}${a.launchId ? ` AND LaunchId=${quote(a.launchId)}` : ''}`;

  // 1. The launches: no more starts.
  // The campaign's launches: those our client recorded (a launch started a moment ago may not be listed yet) and those
  // visibility lists (started by another client).
  const launchIds = a.launchId
    ? [a.launchId]
    : [
        ...new Set([
          ...(await recordedLaunches(a.db, a.campaignId)),
          ...(await ids(client, `${scope} AND WorkflowType="launchCampaign"`)).map((id) => id.split(':').slice(2).join(':')),
        ]),
      ].sort();
  const launchesCancelled: string[] = [];
  for (const workflowId of launchIds.map((l) => launchWorkflowId(a.campaignId, l))) {
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

  // 2. Every run a launch started or could have started, by its workflow id: visibility may not list it yet.
  const cancelledIds = new Set<string>();
  const closedIds = new Set<string>();
  const cancelAndClose = async (ids: string[]) => {
    const open: string[] = [];
    await inBatches(ids, CONCURRENCY, async (id) => {
      if (closedIds.has(id) || cancelledIds.has(id)) return;
      const handle = client.workflow.getHandle(id);
      // Temporal takes a cancellation of a closed run as a success that does nothing: look first, so that only the
      // runs this stop found open are cancelled and counted.
      const status = await handle.describe().then(
        (d) => d.status.name,
        (err) => (err instanceof WorkflowNotFoundError ? 'NOT_STARTED' : Promise.reject(err)),
      );
      if (status !== 'RUNNING') {
        closedIds.add(id);
        return;
      }
      try {
        await handle.cancel();
        cancelledIds.add(id);
        open.push(id);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err; // closed meanwhile: nothing to stop
        closedIds.add(id);
      }
    });
    // A run closes once its e-mail attempt has stopped (and recorded how its send ended).
    await inBatches(open, CONCURRENCY, async (id) => {
      await closed(a, id, client.workflow.getHandle(id).result());
      closedIds.add(id);
    });
  };
  for (const launchId of launchIds) {
    const reach = await launchReach(a, launchId);
    if (!reach) continue;
    for await (const page of reachPages(a.db, reach)) {
      await cancelAndClose(page.map((customerId) => campaignRunWorkflowId(a.campaignId, customerId)));
    }
    if (cancelledIds.size) log(`runs: ${cancelledIds.size} cancelled so far`);
  }

  // 3. Every other open run visibility lists (runs started outside a launch), until two looks a second apart find none.
  // Runs this stop already saw closed are not looked for again, however long visibility takes to list them closed.
  let quiet = 0;
  let stale = 0;
  while (quiet < 2) {
    const listed = await ids(client, `${scope} AND WorkflowType="campaignRun" AND ExecutionStatus="Running"`);
    const open = listed.filter((id) => !closedIds.has(id));
    stale = listed.length - open.length;
    if (open.length === 0) {
      quiet++;
      if (quiet < 2) await new Promise((r) => setTimeout(r, SETTLE_MS));
      continue;
    }
    quiet = 0;
    const before = cancelledIds.size;
    await cancelAndClose(open);
    if (cancelledIds.size > before) log(`runs: ${cancelledIds.size} cancelled so far`);
  }

  // 4. What the campaign (or launch) looks like now.
  const count = async (extra: string) => (await client.workflow.count(`${scope} AND WorkflowType="campaignRun" AND ${extra}`)).count;
  const [completed, cancelled, failed, terminated, running] = await Promise.all(
    ['Completed', 'Canceled', 'Failed', 'Terminated', 'Running'].map((s) => count(`ExecutionStatus=${quote(s)}`)),
  );
  const launches: LaunchStopFigures[] = [];
  for (const launchId of launchIds) {
    const figures = await launchFigures(a, launchId);
    if (figures) launches.push(figures);
  }
  return {
    campaignId: a.campaignId,
    ...(a.launchId ? { launchId: a.launchId } : {}),
    launchesCancelled,
    runsCancelled: cancelledIds.size,
    runs: { completed, cancelled, failed, terminated, running },
    ...(stale ? { visibilityLag: stale } : {}),
    launches,
  };
}

/** How far a launch got: its audience, and the last customer id it started or could have started (null: all of them). */
interface LaunchReach {
  list: LaunchListKey;
  input: LaunchInput;
  upTo: string | null;
}

/** Decodes the first payload of a history event's input. */
function inputOf<T>(payloads: temporal.api.common.v1.IPayloads | null | undefined): T | undefined {
  const p = payloads?.payloads?.[0];
  return p ? defaultPayloadConverter.fromPayload<T>(p) : undefined;
}

/**
 * From the launch's latest run's history (the launch is closed by now): the page it was starting when it stopped
 * bounds what it could have started; a launch that finished could have started its whole audience. Null when the
 * launch does not exist or never scheduled a page.
 */
async function launchReach(a: StopArgs, launchId: string): Promise<LaunchReach | null> {
  const handle = a.client.workflow.getHandle(launchWorkflowId(a.campaignId, launchId));
  let events: temporal.api.history.v1.IHistoryEvent[];
  try {
    events = (await handle.fetchHistory()).events ?? [];
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const input = inputOf<LaunchInput>(events[0]?.workflowExecutionStartedEventAttributes?.input);
  if (!input) return null;
  const list = { campaignId: a.campaignId, launchId, legacy: input.listScope !== 'campaign' };
  if (events.some((e) => e.workflowExecutionCompletedEventAttributes)) return { list, input, upTo: null };
  const pages = events.flatMap((e) => {
    const s = e.activityTaskScheduledEventAttributes;
    return s?.activityType?.name === 'startLaunchPage' ? [inputOf<LaunchPageInput>(s.input)] : [];
  });
  const last = pages[pages.length - 1];
  if (!last) return input.state?.cursor ? { list, input, upTo: input.state.cursor } : null;
  const page = await audiencePage(a.db, list, input.audience, last.after, last.pageSize);
  const upTo = page.length ? page[page.length - 1] : last.after;
  return upTo === null ? null : { list, input, upTo };
}

/** The launch's audience up to its reach, a thousand ids at a time, in id order. */
async function* reachPages(db: Db, reach: LaunchReach): AsyncGenerator<string[]> {
  let after: string | null = null;
  for (;;) {
    const page: string[] = await audiencePage(db, reach.list, reach.input.audience, after, 1000);
    const within = reach.upTo === null ? page : page.filter((id) => id <= reach.upTo!);
    if (within.length) yield within;
    if (within.length < page.length || page.length < 1000) return;
    after = page[page.length - 1];
  }
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
    ...(s.visibilityLag
      ? [`visibility lags: ${s.visibilityLag} run(s) this stop saw closed are still listed as running; they are closed`]
      : []),
    ...s.launches.map((l) => `launch ${l.launchId}: audience ${l.audience}, runs started ${l.started}, never started ${l.notStarted}`),
  ];
  return lines.join('\n');
}
