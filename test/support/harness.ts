// Helpers for end-to-end tests: a real worker on its own task queue, real Postgres, the SendGrid fake over HTTP.
import { randomUUID } from 'node:crypto';
import type { NativeConnection } from '@temporalio/worker';
import type { Campaign } from '../../src/campaigns/types';
import { upsertCategory } from '../../src/db/categories';
import { importCustomers } from '../../src/db/customerImport';
import type { Activities } from '../../src/activities';
import type { WorkerRole } from '../../src/config';
import { startCampaignRun } from '../../src/runs/start';
import { assembleWorkers, type CampaignWorkers } from '../../src/temporal/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { CampaignRunResult, CampaignRunWorkflow, PreparedRun, PrepareRunInput, RunOptions } from '../../src/contract';
import { spawnWorker, workerEnv, type WorkerProcess } from '../../dev/workerProcess';
import { testConfig, testEnv } from './env';

export interface RunningWorker {
  taskQueue: string;
  launchTaskQueue: string;
  workers: CampaignWorkers;
  stop(): Promise<void>;
}

export interface StartWorkerOptions {
  apiKey?: string;
  /** another SendGrid endpoint than the fake (a wrong one, to test misconfiguration) */
  baseUrl?: string;
  /** the SendGrid client's timeout (the send lease follows from it) */
  timeoutMs?: number;
  roles?: WorkerRole[];
  queues?: { taskQueue: string; launchTaskQueue: string };
  /** stubbed activities, for tests of workflow logic */
  activityOverrides?: Partial<Activities> & Record<string, (...args: never[]) => Promise<unknown>>;
  /** the service's public base URL for unsubscribe links (default: the configured one, on loopback) */
  publicUrl?: string;
  /** another workflow bundle (replay variants) */
  workflowBundle?: Parameters<typeof assembleWorkers>[0]['workflowBundle'];
  /** how often the worker reads send limits (default 1 s here: tests store limited campaigns after their worker started) */
  sendLimitsRefreshMs?: number;
  /** another Temporal server than the suite's (a test's own) */
  connection?: NativeConnection;
  /** the time e-mails render at (default the system clock) */
  clock?: () => Date;
}

/**
 * A stub of the run's start check (prepareRun) for tests of workflow logic, whose runs walk a tree no campaign stores:
 * the run takes the tree its input hands in, as a run whose stored version matched would.
 */
export const prepareRunAsGiven = async (i: PrepareRunInput): Promise<PreparedRun> =>
  i.sendTaskQueue !== undefined ? { sendTaskQueue: i.sendTaskQueue } : {};

/** A real worker (the production assembly) on fresh task queues of its own, against the test server, database and fake. */
export async function startWorker(opts: StartWorkerOptions = {}): Promise<RunningWorker> {
  const env = testEnv();
  const taskQueue = opts.queues?.taskQueue ?? `test-${randomUUID()}`;
  const launchTaskQueue = opts.queues?.launchTaskQueue ?? `${taskQueue}-launches`;
  const config = testConfig({
    taskQueue,
    launchTaskQueue,
    apiKey: opts.apiKey,
    baseUrl: opts.baseUrl,
    timeoutMs: opts.timeoutMs ?? 8000,
    publicUrl: opts.publicUrl,
  });
  const workers = await assembleWorkers({
    config,
    db: env.db,
    connection: opts.connection ?? env.nativeConnection,
    roles: opts.roles,
    workflowBundle: opts.workflowBundle ?? env.workflowBundle,
    activityOverrides: opts.activityOverrides,
    sendLimitsRefreshMs: opts.sendLimitsRefreshMs ?? 1000,
    clock: opts.clock,
  });
  const running = workers.run();
  return {
    taskQueue,
    launchTaskQueue,
    workers,
    async stop() {
      await workers.shutdown();
      await running;
    },
  };
}

/**
 * The production worker as a child process (dist/src/worker.js, as compose runs it) against the test server, database
 * and fake, on the task queues `vars` names; resolves once it polls. Its stderr goes to this process's unless `stderr`.
 */
export async function spawnTestWorker(
  vars: { TASK_QUEUE: string; WORKER_ROLES: string; LAUNCH_TASK_QUEUE?: string },
  o: { stderr?: 'pipe' | 'ignore' } = {},
): Promise<WorkerProcess> {
  const env = testEnv();
  const worker = spawnWorker(
    workerEnv({ TEMPORAL_ADDRESS: env.temporalAddress, DATABASE_URL: env.databaseUrl, SENDGRID_BASE_URL: env.fake.url, ...vars }),
    o,
  );
  await worker.ready;
  return worker;
}

/**
 * The describe block's worker: categories seeded and a real worker started before its tests (with `opts`, or what
 * `opts()` returns then: a service's URL, say), stopped after them. The object returned is that worker once `before`
 * has run.
 */
export function useWorker(opts: StartWorkerOptions | (() => StartWorkerOptions) = {}): RunningWorker {
  const w = {} as RunningWorker;
  before(async () => {
    await seedCategories();
    Object.assign(w, await startWorker(typeof opts === 'function' ? opts() : opts));
  });
  after(async () => w.stop?.());
  return w;
}

export async function seedCategories(): Promise<void> {
  const { db } = testEnv();
  await upsertCategory(db, { code: 'news', name: 'News', visible: true, defaultEmailSubscribed: true });
  await upsertCategory(db, { code: 'service', name: 'Service notices', visible: false, defaultEmailSubscribed: true });
  await upsertCategory(db, { code: 'promo', name: 'Promotions', visible: true, defaultEmailSubscribed: false });
}

export async function importLines(lines: object[]): Promise<void> {
  await importCustomers(testEnv().db, lines.map((l) => JSON.stringify(l)).join('\n'));
}

/** A unique prefix so that tests never share customers or campaigns. */
export function uid(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Starts the campaign's run for the customer on the worker's task queue (as the CLI does); its handle. */
export async function startRun(
  w: Pick<RunningWorker, 'taskQueue'>,
  stored: { campaign: Campaign; version: number },
  customerId: string,
  options?: RunOptions,
): Promise<WorkflowHandle<CampaignRunWorkflow>> {
  const env = testEnv();
  const started = await startCampaignRun({
    client: env.client,
    taskQueue: w.taskQueue,
    campaign: stored.campaign,
    campaignVersion: stored.version,
    customerId,
    options,
  });
  return env.client.workflow.getHandle<CampaignRunWorkflow>(started.workflowId);
}

/** Starts the run and waits for its result. */
export async function runToEnd(
  w: Pick<RunningWorker, 'taskQueue'>,
  stored: { campaign: Campaign; version: number },
  customerId: string,
  options?: RunOptions,
): Promise<CampaignRunResult> {
  return (await startRun(w, stored, customerId, options)).result();
}

export function outcomeOf(r: CampaignRunResult, actionId: string) {
  const a = r.actions.find((x) => x.actionId === actionId);
  if (!a) throw new Error(`no action ${actionId} in result`);
  return a.outcome;
}

export async function tagsOf(customerId: string): Promise<string[]> {
  const row = await testEnv().db('customers').where({ external_id: customerId }).first('tags');
  return row?.tags ?? [];
}

export function acceptedFor(email: string) {
  return testEnv()
    .fake.accepted()
    .filter((m) => m.body.personalizations?.[0]?.to?.[0]?.email?.toLowerCase() === email.toLowerCase());
}

/** Polls `fn` until `ok` accepts its value or `ms` pass; returns the last value either way (the caller asserts). */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T;
  do {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < deadline);
  return last;
}

/** Visibility is eventually consistent: the count of runs matching `query`, once it reaches n (or after 20 s). */
export async function visibleCount(query: string, n: number): Promise<number> {
  return eventually(
    async () => (await testEnv().client.workflow.count(query)).count,
    (c) => c >= n,
    20_000,
  );
}
