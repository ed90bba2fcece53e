// `npm run bench [-- N] [--rounds R] [--json]` (and `-- --messages-per-minute M`: bench/sendLimit.ts): launches N customers through Send e-mail then Set tag against a local
// dev server and the SendGrid fake (production worker: dist/src/worker.js), and, in the same run, the floor: N workflows
// that each run one no-op activity (its own worker process, same tuning). Prints runs completed per second, p50/p95
// from launch to the e-mail's acceptance (floor: to the activity), the worker's peak RSS, where the CPU went (the whole
// machine per run; server, worker, Postgres, this process), and the ratio campaign/floor. With --json the last line is
// one JSON object with those figures. `-- N --scale ...` is one launch at scale: bench/scale.ts.
import { storeBenchCampaign } from './benchCampaign';
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE } from '../src/temporal/workerShared';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { importCustomers } from '../src/db/customerImport';
import { createDb, migrateLatest, recreateDatabase, type Db } from '../src/db/knex';
import { startSendGridFake, type SendGridFake } from '../dev/sendgridFake';
import { startDevServer } from '../dev/temporalServer';
import { startLaunch } from '../src/runs/launch';
import { LaunchIdKey } from '../src/contract';
import { ensurePostgres, freePort } from '../test/support/env';
import { scaleMain } from './scale';
import { benchSendLimit } from './sendLimit';
import { cpuSeconds, machineCpuSeconds, postgresCpu, postgresCpuSince, rssSampler, threadCpu } from './procStats';
import { spawnWorker, workerEnv, workerNodeArgs, type WorkerProcess } from '../dev/workerProcess';
import { waitRunsClosed } from './waitRuns';
import { fetchServerCounters } from './serverMetrics';
import { dbStats, dbWork, historyShape } from './runWork';

interface PhaseFigures {
  runs: number;
  /** CPU milliseconds per run used by everything on the machine (server, workers, Postgres, the fake, this process) */
  machineCpuMsPerRun: number;
  /** CPU seconds used during the phase by the Temporal server and by the phase's worker process */
  serverCpuSeconds: number;
  workerCpuSeconds: number;
  /** CPU seconds of every PostgreSQL process, and of this process (the SendGrid fake, the floor's client starts) */
  postgresCpuSeconds: number;
  benchCpuSeconds: number;
  elapsedSeconds: number;
  runsPerSecond: number;
  msPerRun: number;
  p50Ms: number;
  p95Ms: number;
  peakRssMb: number;
}

/** Persistence requests by operation (the dev server's /metrics). */
const serverCounters = (url: string) => fetchServerCounters(url, ['persistence_requests', 'visibility_persistence_requests']);

function counterDelta(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of b) if (v - (a.get(k) ?? 0) > 0) d[k] = v - (a.get(k) ?? 0);
  return d;
}

function mean(xs: PhaseFigures[]): PhaseFigures {
  const avg = (k: keyof PhaseFigures) => Math.round((xs.reduce((t, x) => t + x[k], 0) / xs.length) * 100) / 100;
  return {
    runs: xs[0].runs,
    machineCpuMsPerRun: avg('machineCpuMsPerRun'),
    serverCpuSeconds: avg('serverCpuSeconds'),
    workerCpuSeconds: avg('workerCpuSeconds'),
    postgresCpuSeconds: avg('postgresCpuSeconds'),
    benchCpuSeconds: avg('benchCpuSeconds'),
    elapsedSeconds: avg('elapsedSeconds'),
    runsPerSecond: avg('runsPerSecond'),
    msPerRun: avg('msPerRun'),
    p50Ms: avg('p50Ms'),
    p95Ms: avg('p95Ms'),
    peakRssMb: Math.max(...xs.map((x) => x.peakRssMb)),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs the floor worker's no-op activity has executed so far (over IPC: free for the server). */
function floorCount(worker: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    worker.once('message', (m: any) => resolve(m.floorCount));
    worker.send('floor-count');
  });
}

async function startMany(n: number, concurrency: number, start: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await start(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

async function floorPhase(
  client: Client,
  worker: ChildProcess,
  queue: string,
  n: number,
  tag: string,
): Promise<
  Omit<
    PhaseFigures,
    'peakRssMb' | 'serverCpuSeconds' | 'workerCpuSeconds' | 'postgresCpuSeconds' | 'benchCpuSeconds' | 'machineCpuMsPerRun'
  >
> {
  const before = await floorCount(worker);
  const t0 = Date.now();
  await startMany(n, 20, (i) =>
    client.workflow.start('floorRun', {
      taskQueue: queue,
      workflowId: `floor-${tag}-${i}`,
      typedSearchAttributes: [{ key: LaunchIdKey, value: tag }],
    }),
  );
  const query = `LaunchId="${tag}" AND WorkflowType="floorRun"`;
  const { completed, lastClose: done } = await waitRunsClosed(client, query, n, async () => (await floorCount(worker)) - before);
  if (completed !== n) throw new Error(`${completed} of ${n} floor runs completed (${query})`);
  const times: Record<string, number> = await new Promise((resolve) => {
    worker.once('message', (m: any) => resolve(m.floorTimes));
    worker.send('floor-times');
  });
  const lat = Object.entries(times)
    .filter(([id]) => id.startsWith(`floor-${tag}-`))
    .map(([, t]) => t - t0)
    .sort((a, b) => a - b);
  return figures(n, t0, done, lat);
}

function figures(n: number, t0: number, done: number, sortedLatencies: number[]) {
  const elapsed = (done - t0) / 1000;
  return {
    runs: n,
    elapsedSeconds: Math.round(elapsed * 10) / 10,
    runsPerSecond: Math.round((n / elapsed) * 10) / 10,
    msPerRun: Math.round((elapsed * 1000 * 100) / n) / 100,
    p50Ms: percentile(sortedLatencies, 50),
    p95Ms: percentile(sortedLatencies, 95),
  };
}

async function campaignPhase(
  client: Client,
  db: Db,
  fake: SendGridFake,
  launchQueue: string,
  n: number,
  tag: string,
  campaign: { id: string; version: number },
  timeline = false,
) {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `${tag}-${String(i).padStart(6, '0')}`,
      email: `${tag}-${i}@example.com`,
      emailSubscribed: true,
      categories: { news: true },
      firstName: 'Bench',
      tags: [tag],
    }),
  );
  await importCustomers(db, lines.join('\n'));
  fake.reset();
  const t0 = Date.now();
  // Launch settings default to the product's; these variables let the flow control be explored.
  const maxInFlight = process.env.BENCH_MAX_IN_FLIGHT ? Number(process.env.BENCH_MAX_IN_FLIGHT) : undefined;
  const pageSize = process.env.BENCH_PAGE_SIZE ? Number(process.env.BENCH_PAGE_SIZE) : undefined;
  let tl: NodeJS.Timeout | undefined;
  // BENCH_TIMELINE=1 prints e-mails accepted per second and the machine's CPU each second: stalls show as idle seconds.
  if (timeline) {
    let lastAcc = 0,
      lastCpu = machineCpuSeconds(),
      lastT = Date.now();
    tl = setInterval(() => {
      const acc = fake.accepted().length,
        cpu = machineCpuSeconds(),
        t = Date.now();
      console.error(
        `t=${((t - t0) / 1000).toFixed(0)}s sent/s=${((acc - lastAcc) / ((t - lastT) / 1000)).toFixed(0)} cpu=${(((cpu - lastCpu) / ((t - lastT) / 1000)) * 50).toFixed(0)}%`,
      );
      lastAcc = acc;
      lastCpu = cpu;
      lastT = t;
    }, 1000);
  }
  const launch = await startLaunch({
    client,
    db,
    launchTaskQueue: launchQueue,
    campaignId: campaign.id,
    campaignVersion: campaign.version,
    audience: { kind: 'tag', tag },
    launchId: tag,
    maxInFlight,
    pageSize,
  });
  const { completed: count, lastClose: done } = await waitRunsClosed(
    client,
    `CampaignId="${campaign.id}" AND LaunchId="${launch.launchId}" AND WorkflowType="campaignRun"`,
    n,
    () => fake.accepted().length,
  );
  if (tl) clearInterval(tl);
  const accepted = fake.accepted();
  if (accepted.length !== n || count !== n) {
    const sent = await db('send_ledger').where({ status: 'sent' }).whereLike('customer_id', `${tag}-%`).count<{ n: string }[]>({ n: '*' });
    throw new Error(
      `the fake accepted ${accepted.length} messages for ${n} customers (${count} runs completed, ${sent[0].n} sent in the ledger)`,
    );
  }
  const lat = accepted.map((m) => Date.parse(m.receivedAt) - t0).sort((a, b) => a - b);
  return figures(n, t0, done, lat);
}

/** The floor's worker process, ready once it says so over IPC. */
function floorWorker(child: ChildProcess): WorkerProcess {
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then((how) => reject(new Error(`floor worker exited (${how})`)));
  });
  return { child, ready, exited };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--scale')) return scaleMain(args);
  const json = args.includes('--json');
  // A number is N unless it is the value of an option.
  const nArg = args.find((a, i) => /^\d+$/.test(a) && !['--rounds', '--messages-per-minute', '--workers'].includes(args[i - 1]));
  const optionValue = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
  const perMinute = optionValue('--messages-per-minute');
  if (perMinute !== undefined) {
    const workers = optionValue('--workers') ?? 2;
    const customers = nArg ? Number(nArg) : Math.ceil(perMinute * 2.5);
    if (![perMinute, workers, customers].every((v) => Number.isInteger(v) && v >= 1))
      throw new Error('usage: npm run bench -- --messages-per-minute M [N] [--workers W] [--json]');
    const log = json ? (...a: unknown[]) => console.error(...a) : console.log;
    const figures = await benchSendLimit({ perMinute, customers, workers, log });
    if (json) console.log(JSON.stringify({ date: new Date().toISOString(), ...figures }));
    return;
  }
  const n = nArg ? Number(nArg) : 2000;
  const roundsArg = args.indexOf('--rounds');
  const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 2;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(rounds) || rounds < 1)
    throw new Error('usage: npm run bench -- [N] [--rounds R] [--json]');
  const log = json ? (...a: unknown[]) => console.error(...a) : console.log;
  // Runs each fresh worker does before it is measured: bundles, connection pools, and V8's optimising compiler, which
  // reaches the campaign's larger code (knex, pg, axios, Liquid) later than the floor's (100: campaign 74 runs/s; 600 and
  // 1,500: 76-78; the floor's the same), so the figures are the steady state of a long-lived worker.
  const warmup = process.env.BENCH_WARMUP ? Number(process.env.BENCH_WARMUP) : 1000;
  if (!Number.isInteger(warmup) || warmup < 1)
    throw new Error(`BENCH_WARMUP must be a positive integer, got "${process.env.BENCH_WARMUP}"`);

  ensurePostgres();
  const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/campaign_runner_bench';
  await recreateDatabase(databaseUrl);
  const db = createDb(databaseUrl, { max: 10 });
  await migrateLatest(db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cr-bench-'));
  const fake = await startSendGridFake({ port: 0 });
  const queues = { TASK_QUEUE: 'bench-runs', LAUNCH_TASK_QUEUE: 'bench-launches', FLOOR_TASK_QUEUE: 'bench-floor' };

  if (!existsSync(PREBUILT_BUNDLE)) throw new Error('no prebuilt workflow bundle: run `npm run build` (npm run bench does)');
  const floorBundle = path.join(dir, 'floor-bundle.js');
  const silent = { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} } as any;
  writeFileSync(floorBundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('./floorWorkflows'), logger: silent })).code);
  const baseEnv = workerEnv({ DATABASE_URL: databaseUrl, SENDGRID_BASE_URL: fake.url, FLOOR_BUNDLE: floorBundle, ...queues });
  // The campaign phase runs the production worker itself; the floor its own worker process with the same tuning and
  // node flags.
  const nodeArgs = workerNodeArgs();

  const stored = await storeBenchCampaign(db);
  const campaign = { id: stored.campaign.id, version: stored.version };
  const threads: Record<string, Record<string, number>> = {};

  /**
   * One measured phase on its own fresh dev server (a WAL SQLite file, as the local stack runs it) and its own worker
   * process, warmed up first. Nothing carries over between phases: not the server's growing database, nor the timers
   * an earlier phase left to fire (activity and workflow-task timeouts fire on the server after their runs closed).
   */
  async function phase(kind: 'floor' | 'campaign', tag: string): Promise<PhaseFigures & { serverOps: Record<string, number> }> {
    const phaseDir = path.join(dir, tag);
    const metricsPort = await freePort();
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const server = await startDevServer({
      port: await freePort(),
      metricsPort,
      dbFile: path.join(phaseDir, 'temporal.db'),
      logFile: path.join(phaseDir, 'temporal.log'),
    });
    const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: 'default' });
    const env = { ...baseEnv, TEMPORAL_ADDRESS: server.address };
    const worker =
      kind === 'floor'
        ? floorWorker(
            fork(path.join(__dirname, 'floorWorker.js'), [], { env, execArgv: nodeArgs, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
          )
        : spawnWorker(env, { nodeArgs });
    const { child, exited } = worker;
    const rss = rssSampler(child.pid!);
    try {
      await worker.ready;
      const run = (count: number, runTag: string, measured: boolean) =>
        kind === 'floor'
          ? floorPhase(client, child, queues.FLOOR_TASK_QUEUE, count, runTag)
          : campaignPhase(client, db, fake, queues.LAUNCH_TASK_QUEUE, count, runTag, campaign, measured && !!process.env.BENCH_TIMELINE);
      // Not `${tag}-...`: the floor picks its measured runs by the workflow-id prefix of the tag.
      await run(warmup, `warm-${tag}`, false);
      rss.reset();
      const m0 = await serverCounters(metricsUrl);
      const db0 = await dbStats(db);
      const cpu0 = {
        server: cpuSeconds(server.pid),
        worker: cpuSeconds(child.pid),
        machine: machineCpuSeconds(),
        postgres: postgresCpu(),
        bench: cpuSeconds(process.pid),
      };
      const f = await run(n, tag, true);
      const figures: PhaseFigures = {
        ...f,
        machineCpuMsPerRun: Math.round(((machineCpuSeconds() - cpu0.machine) * 1000 * 100) / n) / 100,
        serverCpuSeconds: Math.round((cpuSeconds(server.pid) - cpu0.server) * 10) / 10,
        workerCpuSeconds: Math.round((cpuSeconds(child.pid) - cpu0.worker) * 10) / 10,
        postgresCpuSeconds: Math.round(postgresCpuSince(cpu0.postgres) * 10) / 10,
        benchCpuSeconds: Math.round((cpuSeconds(process.pid) - cpu0.bench) * 10) / 10,
        peakRssMb: rss.peakMb(),
      };
      const ops = counterDelta(m0, await serverCounters(metricsUrl));
      threads[kind] = threadCpu(child.pid!);
      Object.assign(ops, await dbWork(db, db0, n), await historyShape(client, kind, tag));
      return { ...figures, serverOps: ops };
    } finally {
      rss.stop();
      if (kind === 'floor' && (child as ChildProcess).connected) child.disconnect();
      else child.kill('SIGTERM');
      await exited;
      await client.connection.close();
      await server.stop();
      rmSync(phaseDir, { recursive: true, force: true });
    }
  }

  try {
    // Rounds in ABBA order (floor, campaign, campaign, floor, ...), so that a drift of this machine's speed over the
    // run weighs on both sides alike. Figures are the mean over rounds.
    const floors: PhaseFigures[] = [];
    const camps: PhaseFigures[] = [];
    const ops: Record<'floor' | 'campaign', Record<string, number>[]> = { floor: [], campaign: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['floor', 'campaign'] as const) : (['campaign', 'floor'] as const);
      for (const kind of order) {
        log(
          kind === 'floor'
            ? `round ${r + 1}/${rounds}: floor, ${n} workflows with one no-op activity...`
            : `round ${r + 1}/${rounds}: campaign, launching ${n} customers through Send e-mail then Set tag...`,
        );
        const { serverOps, ...f } = await phase(kind, `${kind}-${r}`);
        (kind === 'floor' ? floors : camps).push(f);
        ops[kind].push(serverOps);
      }
    }
    const floor = mean(floors);
    const camp = mean(camps);

    const ratio = Math.round((camp.runsPerSecond / floor.runsPerSecond) * 100) / 100;
    // Each round's own ratio shows the spread that the mean hides.
    const roundRatios = camps.map((c, i) => Math.round((c.runsPerSecond / floors[i].runsPerSecond) * 100) / 100);
    const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const row = (name: string, f: PhaseFigures) =>
      `${name.padEnd(9)} ${String(f.runs).padStart(6)} runs  ${String(f.runsPerSecond).padStart(7)} runs/s  ${String(f.msPerRun).padStart(7)} ms/run  p50 ${String(f.p50Ms).padStart(6)} ms  p95 ${String(f.p95Ms).padStart(6)} ms  worker peak RSS ${f.peakRssMb} MB  CPU: ${f.machineCpuMsPerRun} ms/run on the machine; s: server ${f.serverCpuSeconds}, worker ${f.workerCpuSeconds}, postgres ${f.postgresCpuSeconds}, bench+fake ${f.benchCpuSeconds}`;
    log(`\n${machine}, ${new Date().toISOString().slice(0, 10)}`);
    log(row('campaign', camp));
    log(row('floor', floor));
    log(`ratio campaign/floor: ${ratio}${rounds > 1 ? ` (rounds: ${roundRatios.join(', ')})` : ''}`);
    // What the server's database did per run (its persistence requests; CreateTasks are tasks that found no waiting
    // poller and went to the task queue's backlog), and where each worker process spent its CPU in its last phase.
    const perRun = (xs: Record<string, number>[]) => {
      const sum = (pick: (k: string) => boolean) =>
        Math.round(
          (xs.reduce(
            (t, x) =>
              t +
              Object.entries(x)
                .filter(([k]) => pick(k))
                .reduce((a, [, v]) => a + v, 0),
            0,
          ) /
            xs.length /
            n) *
            10,
        ) / 10;
      return `${sum((k) => k.startsWith('persistence_requests:'))} persistence requests (${sum((k) => k === 'persistence_requests:CreateTasks')} backlogged tasks), ${sum((k) => k.startsWith('visibility_persistence_requests:'))} visibility writes and reads`;
    };
    log(`server per run: campaign ${perRun(ops.campaign)}; floor ${perRun(ops.floor)}`);
    // The project database's work per run and one run's history, by kind (bench/runWork.ts), from the last phase of each.
    const shape = (o: Record<string, number>) =>
      Object.entries(o)
        .filter(([k]) => k.startsWith('db:') || k.startsWith('history:'))
        .map(([k, v]) => `${k.replace(/^(db|history):/, '')} ${v}`)
        .join(', ');
    log(`campaign run: ${shape(ops.campaign.at(-1)!)}`);
    log(`floor run: ${shape(ops.floor.at(-1)!)}`);
    log(
      `worker CPU s by thread (last phase, warm-up included): campaign ${JSON.stringify(threads.campaign)}; floor ${JSON.stringify(threads.floor)}`,
    );
    if (json)
      console.log(
        JSON.stringify({
          date: new Date().toISOString(),
          machine,
          n,
          rounds,
          campaign: camp,
          floor,
          roundRatios,
          ratio,
          phases: { campaign: camps, floor: floors },
          serverOps: ops,
        }),
      );
  } finally {
    await fake.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
