// `npm run bench -- N --scale [--topology dev|postgres] [--workers W] [--json]`: one launch of N customers through Send
// e-mail then Set tag (the campaign of bench.ts), with W production worker processes (default 2), on a fresh Temporal
// server: the dev server (SQLite file) or the real server on PostgreSQL (dev/temporalPostgres.ts). After a warm-up
// launch (BENCH_WARMUP, default 500) it measures the launch and prints wall time, runs/s, ms/run, p50/p95 from the
// launch's start to the fake's acceptance, each worker's peak RSS, CPU per run (server, Postgres, workers, the bench
// with the fake, the machine) and the databases' growth per 1,000 runs; then checks that every run completed, that the
// fake accepted one message per customer and that the ledger holds N sent rows, and exits 1 if any check fails.
import { storeBenchCampaign } from './benchCampaign';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { importCustomerStream } from '../src/db/customerImport';
import { createDb, migrateLatest, recreateDatabase } from '../src/db/knex';
import { startSendGridFake, type SendGridFake } from '../dev/sendgridFake';
import { startDevServer } from '../dev/temporalServer';
import { startTemporalOnPostgres } from '../dev/temporalPostgres';
import { offsetPorts } from '../dev/topology';
import { inFlightQuery } from '../src/activities/startLaunchPage';
import { startLaunch } from '../src/runs/launch';
import { ensurePostgres, freePort } from '../test/support/env';
import { emulateAutovacuum } from './autovacuum';
import { cpuSeconds, machineCpuSeconds, postgresCpuSampler, rssSampler } from './procStats';
import { waitRunsClosed } from './waitRuns';
import { fetchServerCounters } from './serverMetrics';
import { spawnWorker, workerEnv, workerNodeArgs, type WorkerProcess } from '../dev/workerProcess';

export interface ScaleOptions {
  n: number;
  topology: 'dev' | 'postgres';
  workers: number;
  warmup: number;
  json: boolean;
}

const USAGE = 'usage: npm run bench -- N --scale [--topology dev|postgres] [--workers W] [--json]';

export function parseScaleArgs(args: string[]): ScaleOptions {
  const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const nArg = args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--workers');
  const o: ScaleOptions = {
    n: Number(nArg ?? 10000),
    topology: (value('--topology') ?? 'dev') as ScaleOptions['topology'],
    workers: Number(value('--workers') ?? 2),
    warmup: Number(process.env.BENCH_WARMUP ?? 500),
    json: args.includes('--json'),
  };
  if (![o.n, o.workers].every((v) => Number.isInteger(v) && v >= 1) || !['dev', 'postgres'].includes(o.topology)) throw new Error(USAGE);
  if (!Number.isInteger(o.warmup) || o.warmup < 0)
    throw new Error(`BENCH_WARMUP must be an integer >= 0, got "${process.env.BENCH_WARMUP}"`);
  return o;
}

/** The customers of one launch as JSON Lines, 1,000 a chunk: 100,000 lines never become one string. */
function* customerChunks(tag: string, n: number): Generator<string> {
  for (let i = 0; i < n; i += 1000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(n, i + 1000); j++)
      lines.push(
        JSON.stringify({
          id: `${tag}-${String(j).padStart(7, '0')}`,
          email: `${tag}-${j}@example.com`,
          emailSubscribed: true,
          categories: { news: true },
          firstName: 'Bench',
          tags: [tag],
        }),
      );
    yield lines.join('\n') + '\n';
  }
}

/** The server's persistence requests by operation, from its Prometheus /metrics (as bench.ts reads them). */
/**
 * Persistence requests by operation; and how often a workflow task waited too long on its worker's sticky queue (it then
 * goes to any worker, with the run's whole history) against how often one completed with stickiness. Keyed as this
 * bench has always printed them: a persistence operation bare, a visibility one as `visibility:<operation>`.
 */
async function serverCounters(url: string): Promise<Map<string, number>> {
  const counters = await fetchServerCounters(url, [
    'persistence_requests',
    'visibility_persistence_requests',
    'schedule_to_start_timeout',
    'complete_workflow_task_sticky_enabled_count',
    'complete_workflow_task_sticky_disabled_count',
  ]);
  return new Map(
    [...counters].map(([key, v]) => [
      key.replace(/^persistence_requests:/, '').replace(/^visibility_persistence_requests:/, 'visibility:'),
      v,
    ]),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

/**
 * What one visibility count costs now (mean of 20 in a row: latency, and the server's CPU): the flow control's count of
 * a launch's runs in flight, and a count of all its completed runs (what bench.ts's completion poll asks once a second).
 * Measured before and after the launch, outside the figures: a cost that grows with the runs the store holds shows here.
 */
async function countCosts(client: Client, serverPid: number | undefined, campaignId: string, launchId: string) {
  const cost = async (query: string) => {
    const [cpu0, t0] = [cpuSeconds(serverPid), performance.now()];
    for (let i = 0; i < 20; i++) await client.workflow.count(query);
    return { ms: round((performance.now() - t0) / 20, 2), serverCpuMs: round(((cpuSeconds(serverPid) - cpu0) * 1000) / 20, 1) };
  };
  return {
    inFlight: await cost(inFlightQuery(campaignId, launchId, new Date())),
    allCompleted: await cost(
      `CampaignId="${campaignId}" AND LaunchId="${launchId}" AND WorkflowType="campaignRun" AND ExecutionStatus="Completed"`,
    ),
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function benchScale(o: ScaleOptions, log: (...a: unknown[]) => void) {
  ensurePostgres();
  const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/campaign_runner_bench';
  await recreateDatabase(databaseUrl);
  const db = createDb(databaseUrl, { max: 10 });
  await migrateLatest(db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cr-bench-scale-'));
  const fake = await startSendGridFake({ port: 0 });
  const metricsPort = await freePort();
  const sqliteFile = path.join(dir, 'temporal.db');
  const server =
    o.topology === 'dev'
      ? {
          ...(await startDevServer({ port: await freePort(), metricsPort, dbFile: sqliteFile, logFile: path.join(dir, 'temporal.log') })),
          databases: [] as string[],
        }
      : await startTemporalOnPostgres({
          name: 'temporal_bench',
          // beside the local stack (its ports) and the suite's server (moved by 200)
          ports: offsetPorts(400),
          runDir: dir,
          metricsEndpoint: `127.0.0.1:${metricsPort}`,
          fresh: true,
          // Temporal's two databases on the same Postgres as the project's (scripts/bench-postgres.sh starts one set as
          // production sets it)
          postgres: postgresOf(databaseUrl),
        }).then((t) => ({ ...t, databases: [t.databases.temporal, t.databases.visibility] }));
  const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: 'default' });
  const queues = { TASK_QUEUE: 'bench-runs', LAUNCH_TASK_QUEUE: 'bench-launches' };
  const env = workerEnv({ DATABASE_URL: databaseUrl, SENDGRID_BASE_URL: fake.url, TEMPORAL_ADDRESS: server.address, ...queues });
  const workers: WorkerProcess[] = [];
  const rss: ReturnType<typeof rssSampler>[] = [];
  const dbNames = [new URL(databaseUrl).pathname.slice(1), ...server.databases];
  const autovacuum = (await db.raw('show autovacuum')).rows[0].autovacuum === 'on';
  const sharedBuffers = String((await db.raw('show shared_buffers')).rows[0].shared_buffers);
  const vacuuming = autovacuum ? undefined : emulateAutovacuum(databaseUrl, dbNames, log);
  try {
    for (let i = 0; i < o.workers; i++) {
      const w = spawnWorker(env, { nodeArgs: workerNodeArgs() });
      workers.push(w);
      rss.push(rssSampler(w.child.pid!));
    }
    await Promise.all(workers.map((w) => w.ready));

    const stored = await storeBenchCampaign(db);
    const launch = async (tag: string, count: number, progress: boolean) => {
      await importCustomerStream(db, customerChunks(tag, count));
      fake.reset();
      const runs = `CampaignId="${stored.campaign.id}" AND LaunchId="${tag}" AND WorkflowType="campaignRun"`;
      const t0 = Date.now();
      const started = await startLaunch({
        client,
        db,
        launchTaskQueue: queues.LAUNCH_TASK_QUEUE,
        campaignId: stored.campaign.id,
        campaignVersion: stored.version,
        audience: { kind: 'tag', tag },
        launchId: tag,
        maxInFlight: process.env.BENCH_MAX_IN_FLIGHT ? Number(process.env.BENCH_MAX_IN_FLIGHT) : undefined,
        pageSize: process.env.BENCH_PAGE_SIZE ? Number(process.env.BENCH_PAGE_SIZE) : undefined,
      });
      const timer = progress ? progressLog(fake, server.pid, count, t0, log) : undefined;
      try {
        const { lastClose } = await waitRunsClosed(client, runs, count, () => fake.accepted().length).then(
          // The launcher's result: it failed nothing (it has started every run by now).
          async (closed) => (await client.workflow.getHandle(started.workflowId).result(), closed),
          // A stalled launch still gets its figures and checks printed: they say what is missing.
          (err: Error) => (log(err.message), { lastClose: Date.now() }),
        );
        return { t0, lastClose, runs };
      } finally {
        clearInterval(timer);
      }
    };

    if (o.warmup > 0) {
      log(`${o.workers} worker processes polling on the ${o.topology} topology; warm-up launch of ${o.warmup}...`);
      await launch('warm', o.warmup, false);
    }
    log(`launching ${o.n} customers through Send e-mail then Set tag...`);
    const sizes = async () => {
      const out: Record<string, number> = {};
      for (const name of dbNames) out[name] = Number((await db.raw('select pg_database_size(?) as b', [name])).rows[0].b);
      if (o.topology === 'dev') out['temporal (SQLite file)'] = fileBytes(sqliteFile) + fileBytes(`${sqliteFile}-wal`);
      return out;
    };
    const size0 = await sizes();
    const countsBefore = await countCosts(client, server.pid, stored.campaign.id, 'warm');
    rss.forEach((r) => r.reset());
    const m0 = await serverCounters(`http://127.0.0.1:${metricsPort}/metrics`);
    const pg = postgresCpuSampler();
    const cpu0 = {
      server: cpuSeconds(server.pid),
      workers: workers.map((w) => cpuSeconds(w.child.pid)),
      machine: machineCpuSeconds(),
      bench: cpuSeconds(process.pid),
    };
    const { t0, lastClose, runs } = await launch('scale', o.n, true);
    const perRunMs = (seconds: number) => round((seconds * 1000) / o.n, 2);
    const cpu = {
      serverMsPerRun: perRunMs(cpuSeconds(server.pid) - cpu0.server),
      postgresMsPerRun: perRunMs(pg.seconds()),
      workersMsPerRun: workers.map((w, i) => perRunMs(cpuSeconds(w.child.pid) - cpu0.workers[i])),
      benchMsPerRun: perRunMs(cpuSeconds(process.pid) - cpu0.bench),
      machineMsPerRun: perRunMs(machineCpuSeconds() - cpu0.machine),
    };
    pg.stop();
    const m1 = await serverCounters(`http://127.0.0.1:${metricsPort}/metrics`);
    const size1 = await sizes();
    const peakRssMb = rss.map((r) => r.peakMb());
    const autovacuumWork = await vacuuming?.stop();
    const countsAfter = await countCosts(client, server.pid, stored.campaign.id, 'scale');

    // Once, at the end: the checks.
    const count = async (status: string) => (await client.workflow.count(`${runs} AND ExecutionStatus="${status}"`)).count;
    const statuses: Record<string, number> = {};
    for (const s of ['Completed', 'Running', 'Failed', 'TimedOut', 'Terminated', 'Canceled', 'ContinuedAsNew'])
      statuses[s] = await count(s);
    const accepted = fake.accepted();
    const recipients = new Set(accepted.map((m) => String(m.body?.personalizations?.[0]?.to?.[0]?.email ?? '').toLowerCase()));
    const ours = [...recipients].filter((r) => r.startsWith('scale-')).length;
    const ledger = Number(
      (await db('send_ledger').where({ status: 'sent' }).whereLike('customer_id', 'scale-%').count<{ n: string }[]>({ n: '*' }))[0].n,
    );
    const checks = {
      allCompleted: statuses.Completed === o.n && Object.entries(statuses).every(([s, c]) => s === 'Completed' || c === 0),
      oneMessagePerCustomer: accepted.length === o.n && recipients.size === o.n && ours === o.n,
      ledgerSent: ledger === o.n,
    };

    const elapsed = (lastClose - t0) / 1000;
    const lat = accepted.map((m) => Date.parse(m.receivedAt) - t0).sort((a, b) => a - b);
    const opsPerRun: Record<string, number> = {};
    for (const [k, v] of m1) if (v - (m0.get(k) ?? 0) > 0) opsPerRun[k] = round((v - (m0.get(k) ?? 0)) / o.n, 2);
    const growth: Record<string, number> = {};
    for (const k of Object.keys(size1)) growth[k] = round((size1[k] - size0[k]) / o.n / 1024, 1); // KiB a run = MiB per 1,000
    const figures = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
      topology: o.topology,
      n: o.n,
      workers: o.workers,
      warmup: o.warmup,
      elapsedSeconds: round(elapsed),
      runsPerSecond: round(o.n / elapsed),
      msPerRun: round((elapsed * 1000) / o.n, 2),
      p50Ms: percentile(lat, 50),
      p95Ms: percentile(lat, 95),
      workerPeakRssMb: peakRssMb,
      // this process: the fake keeps every accepted message
      benchRssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      cpu,
      databaseMbPer1000Runs: growth,
      databaseBytesAfter: size1,
      serverOpsPerRun: opsPerRun,
      countCost: { before: countsBefore, after: countsAfter },
      postgres: `${new URL(databaseUrl).host}, shared_buffers ${sharedBuffers}, autovacuum ${autovacuum ? 'on' : 'off'}`,
      // autovacuum off: the bench did its work (bench/autovacuum.ts): tables vacuumed and analyzed
      autovacuum,
      autovacuumWork,
      statuses,
      accepted: accepted.length,
      distinctRecipients: recipients.size,
      ledgerSent: ledger,
      checks,
      ok: Object.values(checks).every(Boolean),
    };
    log(`\n${figures.machine}, ${figures.date.slice(0, 10)}, load average at the end ${figures.loadAverageAtEnd.join(' ')}`);
    log(`Postgres: ${figures.postgres}`);
    log(
      `${o.topology}: ${o.n} runs in ${figures.elapsedSeconds} s, ${figures.runsPerSecond} runs/s, ${figures.msPerRun} ms/run, ` +
        `p50 ${figures.p50Ms} ms p95 ${figures.p95Ms} ms (launch start to the fake's acceptance), worker peak RSS ${peakRssMb.join(' / ')} MB (bench with the fake: ${figures.benchRssMb} MB)`,
    );
    log(
      `CPU ms per run: server ${cpu.serverMsPerRun}, postgres ${cpu.postgresMsPerRun}, workers ${cpu.workersMsPerRun.join(' + ')}, ` +
        `bench+fake ${cpu.benchMsPerRun}, machine ${cpu.machineMsPerRun}`,
    );
    log(`database growth, MiB per 1,000 runs: ${JSON.stringify(growth)}`);
    if (!autovacuum)
      log(
        `Postgres runs without autovacuum: the bench did its work on ${dbNames.join(', ')} every 60 s (bench/autovacuum.ts): ` +
          `${autovacuumWork?.vacuums} tables vacuumed, ${autovacuumWork?.analyzes} analyzed`,
      );
    log(`server requests per run: ${JSON.stringify(opsPerRun)}`);
    log(`one visibility count, before (warm-up's runs) and after: ${JSON.stringify(figures.countCost)}`);
    log(
      `checks: runs ${JSON.stringify(statuses)}; the fake accepted ${accepted.length} messages to ${recipients.size} recipients; ` +
        `ledger ${ledger} sent -> ${figures.ok ? 'ok' : `FAILED ${JSON.stringify(checks)}`}`,
    );
    return figures;
  } finally {
    await vacuuming?.stop();
    rss.forEach((r) => r.stop());
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await client.connection.close();
    await server.stop();
    await fake.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function postgresOf(databaseUrl: string) {
  const u = new URL(databaseUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username) || 'postgres',
    password: decodeURIComponent(u.password),
  };
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Every 30 s (BENCH_PROGRESS_SECONDS): messages accepted, the rate and the server's CPU per run over the interval, so a
 * cost that grows with the launch shows while it runs.
 */
function progressLog(fake: SendGridFake, serverPid: number | undefined, n: number, t0: number, log: (...a: unknown[]) => void) {
  let last = { t: t0, accepted: 0, server: cpuSeconds(serverPid), machine: machineCpuSeconds() };
  return setInterval(
    () => {
      const now = { t: Date.now(), accepted: fake.accepted().length, server: cpuSeconds(serverPid), machine: machineCpuSeconds() };
      const runs = now.accepted - last.accepted;
      const perRun = (s: number) => (runs ? round((s * 1000) / runs) : '-');
      log(
        `  t=${round((now.t - t0) / 1000, 0)}s ${now.accepted}/${n} accepted, ${round(runs / ((now.t - last.t) / 1000))}/s, ` +
          `CPU ms/run: server ${perRun(now.server - last.server)}, machine ${perRun(now.machine - last.machine)}`,
      );
      last = now;
    },
    Number(process.env.BENCH_PROGRESS_SECONDS ?? 30) * 1000,
  );
}

/** bench.ts's entry for --scale: prints the figures (with --json, the last stdout line is them as JSON); exit 1 unless ok. */
export async function scaleMain(args: string[]): Promise<void> {
  const o = parseScaleArgs(args);
  const log = o.json ? (...a: unknown[]) => console.error(...a) : console.log;
  const figures = await benchScale(o, log);
  if (o.json) console.log(JSON.stringify(figures));
  if (!figures.ok) throw new Error(`scale run failed its checks: ${JSON.stringify(figures.checks)}`);
}
