// `npm run chaos [-- N] [--json] [--seed S] [--unknown-delivery hold|resend] [--workers W]` (default 5,000 customers):
// launches a campaign Send e-mail (category A) -> Set tag -> Send e-mail (category B) to N customers whose data covers
// every eligibility case, against a local dev server (SQLite file), PostgreSQL (a cluster of its own, bench/chaos/
// pgCluster.ts), the SendGrid fake and the HTTP service (SendGrid's event webhook, which the fake posts its signed events
// to, as in the local stack), while, on a schedule drawn from the seed and printed first: worker processes are SIGKILLed
// every few seconds (a supervisor restarts them), the dev server restarts once and Postgres once, the service is away
// once for longer than the campaign waits for SendGrid's word, the fake answers with faults at set rates and in bursts,
// and customers not yet sent to are unsubscribed, get a hard quality code or are deleted. Then it waits for every run to
// close and for the fake's events to reach the service, and checks what bench/chaos/checks.ts lists. With --json the
// last line is one JSON object with the figures and a top-level `ok`. Exits 1 unless every check holds.
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { parseCampaign } from '../src/campaigns/validate';
import { LOOPBACK_UNSUBSCRIBE_SECRET } from '../src/config';
import { startService, type RunningService } from '../src/service/app';
import { UNKNOWN_DELIVERY, type UnknownDelivery } from '../src/campaigns/types';
import { launchWorkflowId } from '../src/contract';
import { storeCampaign } from '../src/db/campaigns';
import { upsertCategory } from '../src/db/categories';
import { importCustomers } from '../src/db/customerImport';
import { createDb, migrateLatest, recreateDatabase, type Db } from '../src/db/knex';
import { startSendGridFake, type SendGridFake } from '../dev/sendgridFake';
import { seededRandom } from '../dev/seededRandom';
import { startDevServer, type DevServer, type DevServerOptions } from '../dev/temporalServer';
import { campaignReport } from '../src/report/campaignReport';
import { startLaunch } from '../src/runs/launch';
import { freePort } from '../test/support/env';
import { ChangeInjector, type SendProgress } from './chaos/changes';
import { checkChaos, type CheckResult, type ChaosFigures } from './chaos/checks';
import { CATEGORY_A, CATEGORY_B, CHANGE_KINDS, chaosCustomers } from './chaos/customers';
import {
  customersLeft,
  decisions,
  fakeMessages,
  installDecisionLog,
  ledgerRows,
  reportedMessages,
  runsAndHistories,
} from './chaos/evidence';
import { ensureChaosCluster, restartChaosCluster, type ChaosCluster } from './chaos/pgCluster';
import { CHAOS_FAULTS, describePlan, planChaos, ratesDuring, type ChaosPlan } from './chaos/plan';
import { WorkerSupervisor } from './chaos/supervisor';
import { WedgeWatch } from './chaos/wedge';
import { workerEnv } from '../dev/workerProcess';

const CAMPAIGN_ID = 'chaos';
const ACTIONS = { a: 'email-a', tag: 'tag', b: 'email-b' };
const TAG = 'chaos-reached';
const QUEUES = { TASK_QUEUE: 'chaos-runs', LAUNCH_TASK_QUEUE: 'chaos-launches' };

interface Options {
  customers: number;
  json: boolean;
  seed: number;
  unknownDelivery: UnknownDelivery;
  workers: number;
}

const USAGE = 'usage: npm run chaos -- [N] [--json] [--seed S] [--unknown-delivery hold|resend] [--workers W]';

export function parseArgs(args: string[]): Options {
  const o: Options = { customers: 5000, json: false, seed: 1, unknownDelivery: 'hold', workers: 2 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    const whole = (v: string, min: number, what: string) => {
      if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`${what} must be a whole number of at least ${min}, got "${v}"\n${USAGE}`);
      return Number(v);
    };
    if (a === '--json') o.json = true;
    else if (a === '--seed') o.seed = whole(value(), 0, '--seed');
    else if (a === '--workers') o.workers = whole(value(), 2, '--workers');
    else if (a === '--unknown-delivery') {
      const v = value();
      if (!(UNKNOWN_DELIVERY as readonly string[]).includes(v))
        throw new Error(`--unknown-delivery must be hold or resend, got "${v}"\n${USAGE}`);
      o.unknownDelivery = v as UnknownDelivery;
    } else if (/^\d+$/.test(a)) o.customers = whole(a, 1, 'N');
    else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  return o;
}

function campaignDocument(unknownDelivery: UnknownDelivery, unknownDeliveryWaitMs: number) {
  const email = (id: string, category: string, children: unknown[]) => ({
    id,
    type: 'sendEmail',
    settings: {
      from: { email: 'news@shop.example.com', name: 'Example Shop' },
      subject: `${category}: hello {{ customer.firstName | default: 'friend' }}`,
      html: `<p>Hi {{ customer.firstName }}</p><a href="https://shop.example.com/${category}">See</a>`,
      categoryCode: category,
      utm: { source: 'chaos' },
    },
    children,
  });
  return {
    id: CAMPAIGN_ID,
    name: 'Chaos',
    unknownDelivery,
    unknownDeliveryWait: { seconds: unknownDeliveryWaitMs / 1000 },
    actions: [
      email(ACTIONS.a, CATEGORY_A.code, [
        { id: ACTIONS.tag, type: 'setTag', settings: { tag: TAG }, children: [email(ACTIONS.b, CATEGORY_B.code, [])] },
      ]),
    ],
  };
}

async function dropDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new PgClient({ connectionString: u.toString() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What was injected, by kind. */
interface Injected {
  workerKills: number;
  temporalRestarts: number;
  postgresRestarts: number;
  /** the share of runs closed when each restart began */
  temporalRestartAtClosed: number | null;
  postgresRestartAtClosed: number | null;
  bursts: number;
  sendgrid: Record<string, number>;
  changes: Record<string, number>;
  /** worker exits the chaos did not cause: before polling (no server to connect to), and after (crashes) */
  workerFailedStarts: number;
  workerCrashes: number;
  /** restarts of a dev server whose SQLite store answered only "interrupted (9)" (bench/chaos/wedge.ts): not planned */
  temporalWedgeRestarts: number;
  /** the HTTP service's outage: how many, at what share of runs closed, and how long it was away (s) */
  serviceOutages: number;
  serviceOutageAtClosed: number | null;
  serviceOutageSeconds: number | null;
}

/**
 * The HTTP service (the production one, in this process) on a loopback port, checking the fake's signatures and telling
 * runs that wait for SendGrid's word through `client`; `port` 0 takes a free one. Its own small pool, as a separate
 * service process would have.
 */
async function startChaosService(
  databaseUrl: string,
  fake: SendGridFake,
  client: Client,
  port: number,
): Promise<RunningService & { db: Db }> {
  const db = createDb(databaseUrl, { max: 4 });
  const service = await startService(
    {
      service: {
        host: '127.0.0.1',
        port,
        publicUrl: undefined,
        webhookPublicKey: fake.webhook.publicKey,
        webhookMaxBytes: 1_048_576,
        webhookMaxAgeSeconds: 600,
      },
      unsubscribe: { secret: LOOPBACK_UNSUBSCRIBE_SECRET, mailto: undefined },
    },
    db,
    // Its lines (a signal not taken while the dev server restarts) go to stderr with the rest of the chaos's noise.
    { port, temporal: client, log: (line) => console.error(line) },
  );
  return {
    ...service,
    db,
    async close() {
      await service.close();
      await db.destroy();
    },
  };
}

/** Which e-mails the fake has accepted so far, read incrementally from its list. */
function sendTracker(fake: SendGridFake) {
  const progress: SendProgress = { sentA: new Set(), sentB: new Set(), frontier: 0 };
  let seen = 0;
  const prefix = `campaign-run:${CAMPAIGN_ID}:`;
  return () => {
    const all = fake.accepted();
    for (const m of fakeMessages(all.slice(seen))) {
      const [runKey, action] = m.sendKey.split('/');
      const customer = runKey.slice(prefix.length);
      (action === ACTIONS.a ? progress.sentA : progress.sentB).add(customer);
      progress.frontier = Math.max(progress.frontier, Number(customer.replace(/^cx-/, '')) || 0);
    }
    seen = all.length;
    return progress;
  };
}

interface Chaos {
  plan: ChaosPlan;
  db: Db;
  client: Client;
  fake: SendGridFake;
  /** the HTTP service; absent while the plan has it away */
  service: { current?: RunningService; port: number; start: (port: number) => Promise<RunningService> };
  cluster: ChaosCluster;
  supervisor: WorkerSupervisor;
  changes: ChangeInjector;
  server: { current: DevServer; options: DevServerOptions };
  log: (...a: unknown[]) => void;
}

/**
 * Runs the plan until every run has closed (or the deadline passes): kills, bursts, customer changes, and the two
 * restarts at their share of closed runs. Returns when the last run closed, as far as visibility knows.
 */
async function unleash(c: Chaos, t0: number, deadline: number): Promise<{ injected: Injected; timedOut: boolean }> {
  const { plan, fake, client, supervisor, log } = c;
  const injected: Injected = {
    workerKills: 0,
    temporalRestarts: 0,
    postgresRestarts: 0,
    temporalRestartAtClosed: null,
    postgresRestartAtClosed: null,
    bursts: 0,
    sendgrid: {},
    changes: {},
    workerFailedStarts: 0,
    workerCrashes: 0,
    temporalWedgeRestarts: 0,
    serviceOutages: 0,
    serviceOutageAtClosed: null,
    serviceOutageSeconds: null,
  };
  let serviceDownAt = 0;
  const wedge = new WedgeWatch();
  const faultOptions = { delayMs: plan.slowMs, resetInSeconds: 2 };
  // Every kind at least once, at the start; then the rates.
  for (const kind of CHAOS_FAULTS) fake.injectFault({ kind, ...faultOptions });
  fake.setFaultRates({ rates: ratesDuring(plan, null), seed: plan.seed, ...faultOptions });
  const sent = sendTracker(fake);
  let kill = 0;
  let nextKill = t0 + plan.killGapsMs[0];
  let burst = 0;
  let burstStart = t0 + plan.bursts[0].gapMs;
  let inBurst = false;
  let counted = 0;
  let printed = t0;
  let closed = 0;
  let enrolled = 0;
  let launchDone = false;
  const runs = `WorkflowType="campaignRun" AND CampaignId="${CAMPAIGN_ID}"`;
  for (;;) {
    const now = Date.now();
    // A kill waits until another worker polls (a restarted one takes a few seconds), so none leaves the queues unpolled.
    if (now >= nextKill && supervisor.kill(plan.killPicks[kill])) {
      injected.workerKills++;
      nextKill = now + plan.killGapsMs[++kill];
    }
    const b = plan.bursts[burst];
    if (!inBurst && now >= burstStart) {
      inBurst = true;
      injected.bursts++;
      // A 429 burst's reset is its end, as a rate-limit window's would be.
      const resetInSeconds = b.kind === '429' ? Math.ceil(b.durationMs / 1000) : faultOptions.resetInSeconds;
      fake.setFaultRates({ rates: ratesDuring(plan, b), seed: plan.seed + burst + 1, ...faultOptions, resetInSeconds });
    } else if (inBurst && now >= burstStart + b.durationMs) {
      inBurst = false;
      fake.setFaultRates({ rates: ratesDuring(plan, null), seed: plan.seed + burst + 1, ...faultOptions });
      burstStart += b.durationMs + plan.bursts[++burst].gapMs;
    }
    if (now - counted >= 2000) {
      counted = now;
      let failure: unknown;
      try {
        [enrolled, closed] = await Promise.all([
          client.workflow.count(runs).then((r) => r.count),
          client.workflow.count(`${runs} AND ExecutionStatus!="Running"`).then((r) => r.count),
        ]);
        launchDone =
          launchDone ||
          (await client.workflow.getHandle(launchWorkflowId(CAMPAIGN_ID, `chaos-${plan.seed}`)).describe()).status.name !== 'RUNNING';
      } catch (err) {
        failure = err; // the server is restarting: count again later
      }
      if (wedge.observe(Date.now(), failure)) {
        injected.temporalWedgeRestarts++;
        log(`  ${elapsed(t0)} the Temporal dev server's SQLite store answers only "interrupted (9)": restarting it (not planned)`);
        await c.server.current.stop();
        c.server.current = await startDevServer(c.server.options);
        wedge.reset();
        log(`  ${elapsed(t0)} the Temporal dev server is back`);
      }
      if (now - printed >= 30_000) {
        printed = now;
        log(
          `  ${elapsed(t0)} ${closed}/${plan.customers} runs closed, ${fake.accepted().length} e-mails accepted, ${injected.workerKills} workers killed`,
        );
      }
    }
    const progress = closed / plan.customers;
    await c.changes.tick(progress, plan.changesUntil, sent());
    if (injected.temporalRestarts === 0 && progress >= plan.temporalRestartAt) {
      injected.temporalRestarts++;
      injected.temporalRestartAtClosed = Math.round(progress * 100) / 100;
      log(`  ${elapsed(t0)} restarting the Temporal dev server (${Math.round(progress * 100)} % of runs closed)`);
      await c.server.current.stop();
      c.server.current = await startDevServer(c.server.options);
      log(`  ${elapsed(t0)} the Temporal dev server is back`);
    }
    if (injected.postgresRestarts === 0 && progress >= plan.postgresRestartAt) {
      injected.postgresRestarts++;
      injected.postgresRestartAtClosed = Math.round(progress * 100) / 100;
      log(`  ${elapsed(t0)} restarting Postgres (${Math.round(progress * 100)} % of runs closed)`);
      await restartChaosCluster(c.cluster);
      log(`  ${elapsed(t0)} Postgres is back`);
    }
    if (injected.serviceOutages === 0 && progress >= plan.serviceOutage.at) {
      injected.serviceOutages++;
      injected.serviceOutageAtClosed = Math.round(progress * 100) / 100;
      log(`  ${elapsed(t0)} closing the HTTP service, SendGrid's event webhook (${Math.round(progress * 100)} % of runs closed)`);
      await c.service.current?.close();
      c.service.current = undefined;
      serviceDownAt = Date.now();
    }
    if (!c.service.current && serviceDownAt > 0 && Date.now() - serviceDownAt >= plan.serviceOutage.ms) {
      c.service.current = await c.service.start(c.service.port);
      injected.serviceOutageSeconds = Math.round((Date.now() - serviceDownAt) / 1000);
      log(`  ${elapsed(t0)} the HTTP service is back after ${injected.serviceOutageSeconds} s`);
    }
    const done =
      launchDone &&
      enrolled > 0 &&
      closed >= enrolled &&
      injected.temporalRestarts > 0 &&
      injected.postgresRestarts > 0 &&
      c.service.current !== undefined;
    if (done || now > deadline) {
      fake.setFaultRates(null);
      for (const r of fake.requests()) if (r.fault) injected.sendgrid[r.fault] = (injected.sendgrid[r.fault] ?? 0) + 1;
      for (const k of CHANGE_KINDS) injected.changes[k] = c.changes.applied.filter((x) => x.kind === k).length;
      ({ failedStarts: injected.workerFailedStarts, crashes: injected.workerCrashes } = supervisor.figures());
      return { injected, timedOut: !done };
    }
    await sleep(250);
  }
}

const elapsed = (t0: number) => `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s]`;

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const log = o.json ? (...a: unknown[]) => console.error(...a) : (...a: unknown[]) => console.log(...a);
  // With --json, stdout holds the summary line only: what libraries print there (knex reports a pooled connection the
  // Postgres restart cut with console.log) goes to stderr.
  if (o.json) console.log = (...a: unknown[]) => console.error(...a);
  const plan = planChaos({ seed: o.seed, customers: o.customers, unknownDelivery: o.unknownDelivery, workers: o.workers });
  for (const line of describePlan(plan)) log(line);

  const started = Date.now();
  const cluster = ensureChaosCluster();
  const databaseUrl = cluster.url(`campaign_runner_chaos_${process.pid}`);
  await recreateDatabase(databaseUrl);
  const db = createDb(databaseUrl, { max: 5 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cr-chaos-'));
  const workerLog = openSync(path.join(dir, 'workers.log'), 'a');
  let fake: SendGridFake | undefined;
  let client: Client | undefined;
  const service: Chaos['service'] = { port: 0, start: () => Promise.reject(new Error('not set up')) };
  let supervisor: WorkerSupervisor | undefined;
  const server: { current?: DevServer; options: DevServerOptions } = {
    options: { port: await freePort(), dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') },
  };
  let ok = false;
  try {
    await migrateLatest(db);
    await installDecisionLog(db);
    await upsertCategory(db, CATEGORY_A);
    await upsertCategory(db, CATEGORY_B);
    const customers = chaosCustomers(o.customers, seededRandom(o.seed * 7919 + 7));
    await importCustomers(db, customers.map((c) => JSON.stringify(c)).join('\n'));
    const stored = await storeCampaign(
      db,
      parseCampaign(campaignDocument(o.unknownDelivery, plan.unknownDeliveryWaitMs), {
        categoryCodes: new Set([CATEGORY_A.code, CATEGORY_B.code]),
      }),
    );
    fake = await startSendGridFake({ port: 0 });
    server.current = await startDevServer(server.options);
    client = new Client({ connection: await Connection.connect({ address: server.current.address }), namespace: 'default' });
    const serviceClient = client;
    service.start = (port) => startChaosService(databaseUrl, fake!, serviceClient, port);
    service.current = await service.start(0);
    service.port = Number(new URL(service.current.url).port);
    // The fake posts signed batches of events to the service, as SendGrid does; a batch not answered 2xx is retried
    // (backoff up to 5 s, 60 attempts: several minutes, longer than any outage of the plan), under the same event ids.
    fake.webhook.configure({
      url: `${service.current.url}/sendgrid/events`,
      signing: 'valid',
      flushMs: 200,
      retryBaseMs: 200,
      retryMaxMs: 5000,
      maxAttempts: 60,
      newEventIdsOnRetry: false,
    });
    supervisor = new WorkerSupervisor(
      workerEnv({
        TEMPORAL_ADDRESS: server.current.address,
        DATABASE_URL: databaseUrl,
        SENDGRID_BASE_URL: fake.url,
        SENDGRID_TIMEOUT_MS: String(plan.sendgridTimeoutMs),
        ...QUEUES,
      }),
      plan.workers,
      workerLog,
    );
    await supervisor.start();
    log(`set up in ${((Date.now() - started) / 1000).toFixed(0)}s (logs: ${dir}); launching...`);

    const changes = new ChangeInjector(db, client, CAMPAIGN_ID, customers, plan.changes, seededRandom(plan.changeSeed));
    const t0 = Date.now();
    await startLaunch({
      client,
      db,
      launchTaskQueue: QUEUES.LAUNCH_TASK_QUEUE,
      campaignId: CAMPAIGN_ID,
      campaignVersion: stored.version,
      audience: { kind: 'all' },
      launchId: `chaos-${o.seed}`,
    });
    const timeoutMs = Number(process.env.CHAOS_TIMEOUT_S || 900 + o.customers * 0.2) * 1000;
    const chaos: Chaos = { plan, db, client, fake, service, cluster, supervisor, changes, server: server as Chaos['server'], log };
    const { injected, timedOut } = await unleash(chaos, t0, t0 + timeoutMs);
    const workerFigures = supervisor.figures();
    await supervisor.stop();
    log(`  ${elapsed(t0)} ${timedOut ? `gave up waiting after ${timeoutMs / 1000}s` : 'every run closed'}; checking...`);
    // Events still queued or waiting for a retry settle rows after the runs closed: wait for the fake to have them
    // answered (or given up), so that the ledger read below is the last word.
    service.current ??= await service.start(service.port);
    const drainUntil = Date.now() + 120_000;
    while (fake.webhook.pending() > 0 && Date.now() < drainUntil) await sleep(250);
    const eventsLeft = fake.webhook.pending();
    log(
      `  ${elapsed(t0)} ${eventsLeft === 0 ? "the fake's events have all reached the service" : `${eventsLeft} events not yet answered 2xx`}`,
    );

    const addresses = [
      ...customers.flatMap((c) => (c.email ? [c.email] : [])),
      ...fake.accepted().flatMap((m) => m.body.personalizations?.[0]?.to?.map((t: { email: string }) => t.email) ?? []),
    ].map((a) => a.trim().toLowerCase());
    const history = await runsAndHistories(client, CAMPAIGN_ID, addresses);
    const left = await customersLeft(db, TAG);
    const { checks, figures } = checkChaos({
      unknownDelivery: o.unknownDelivery,
      campaignId: CAMPAIGN_ID,
      actions: ACTIONS,
      customers,
      changes: changes.applied,
      runs: history.runs,
      launchStatus: (await client.workflow.getHandle(launchWorkflowId(CAMPAIGN_ID, `chaos-${o.seed}`)).describe()).status.name,
      ledger: await ledgerRows(db, CAMPAIGN_ID),
      decisions: await decisions(db),
      messages: fakeMessages(fake.accepted()),
      reported: reportedMessages(fake.webhook.events(), fake.webhook.deliveries()),
      report: await campaignReport(db, CAMPAIGN_ID),
      ...left,
      histories: history.histories,
      historyHits: history.historyHits,
    });
    ok = checks.every((c) => c.ok) && !timedOut;
    const wallSeconds = Math.round((Math.max(history.lastCloseTime, t0) - t0) / 100) / 10;
    const summary = {
      ok,
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      seed: o.seed,
      unknownDelivery: o.unknownDelivery,
      workers: o.workers,
      wallSeconds,
      runsPerSecond: wallSeconds > 0 ? Math.round((o.customers / wallSeconds) * 10) / 10 : 0,
      peakWorkerRssMb: workerFigures.peakRssMb,
      timedOut,
      eventsNotAnswered: eventsLeft,
      faults: injected,
      ...figures,
      checks,
    };
    printSummary(summary, checks, figures, log);
    if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return ok ? 0 : 1;
  } finally {
    await supervisor?.stop().catch(() => undefined);
    await service.current?.close().catch(() => undefined);
    await client?.connection.close().catch(() => undefined);
    await server.current?.stop().catch(() => undefined);
    await fake?.close().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    closeSync(workerLog);
    await dropDatabase(databaseUrl).catch((err) => log(`could not drop ${databaseUrl}: ${err}`));
    // The logs stay for a failed run.
    if (ok) rmSync(dir, { recursive: true, force: true });
    else log(`logs kept in ${dir}`);
  }
}

function printSummary(
  s: { wallSeconds: number; runsPerSecond: number; peakWorkerRssMb: number; faults: Injected; machine: string; timedOut: boolean },
  checks: CheckResult[],
  f: ChaosFigures,
  log: (...a: unknown[]) => void,
): void {
  const x = s.faults;
  log(`\n${s.machine}, ${new Date().toISOString().slice(0, 10)}`);
  log(
    `${f.customers} customers: ${f.runsEnrolled} runs enrolled, ${f.runsClosed} closed, ${f.lostRuns} lost; wall ${s.wallSeconds}s (${s.runsPerSecond} runs/s); peak worker RSS ${s.peakWorkerRssMb} MB`,
  );
  log(
    `e-mail outcomes: ${f.outcomes.sent} sent, ${f.outcomes.skipped} skipped, ${f.outcomes.failed} failed, ${f.outcomes.not_run} not run; ` +
      `${f.messagesAccepted} messages accepted, ${f.duplicateMessages} duplicates, ${f.possibleDuplicateSends} sends marked possible_duplicate, ${f.duplicatesConfirmed} duplicate_confirmed`,
  );
  log(
    `SendGrid's word: ${f.acceptedSends} sends accepted by the fake (${f.neverReportedSends} with no event reported to the service); ledger ${f.ledgerSent} sent, ` +
      `${f.confirmedLate} of them confirmed by an event (${f.settledAfterRun} after the run had given up), ${f.stillUnknown} still delivery_unknown`,
  );
  log(
    `injected: ${x.workerKills} worker kills (other exits: ${x.workerFailedStarts} before polling, ${x.workerCrashes} after), ${x.temporalRestarts} dev-server restart (at ${x.temporalRestartAtClosed ?? '-'}), ` +
      `${x.postgresRestarts} Postgres restart (at ${x.postgresRestartAtClosed ?? '-'}), ${x.serviceOutages} service outage (at ${x.serviceOutageAtClosed ?? '-'}, ${x.serviceOutageSeconds ?? '-'} s), ${x.bursts} bursts; ` +
      `${x.temporalWedgeRestarts} unplanned dev-server restarts (SQLite interrupted); SendGrid ${Object.entries(x.sendgrid)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}; customers changed: ${Object.entries(x.changes)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
  );
  for (const c of checks) {
    log(`${c.ok ? '✔' : '✖'} ${c.name}${c.ok ? '' : `: ${c.failures} failed, e.g.`}`);
    for (const e of c.examples) log(`      ${e}`);
  }
  if (s.timedOut) log('✖ not every run closed in time');
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error && /usage:/.test(err.message) ? `error: ${err.message}` : err);
      process.exit(1);
    },
  );
}
