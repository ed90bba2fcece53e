// The local stack (`npm start`): Temporal dev server with Temporal Web, Postgres schema, the SendGrid fake, the HTTP
// service (webhook, unsubscribe links) with the fake's Event Webhook pointed at it, demo categories and customers, a
// worker, and the demo campaign started for every demo customer. The fake then speaks back (an open, a hard bounce, an
// unsubscribe), a customer unsubscribes with one click, and a follow-up campaign (an A/B test of two subjects) shows the
// next run's outcomes change.
// Serves until Ctrl-C, which stops everything it started (so does a crash: dev/shutdown.ts).
//
// The demo touches only its own data: its customers, categories and campaigns have ids of their own (demo-...), and it
// runs its campaigns for its own ten customers, whatever else the database holds (issue 28).
//
// `--state-dir <dir>`: where the dev server keeps its SQLite file and log (default .stack; the tests use their own).
//
// `--postgres` (`npm run stack:postgres`): the production topology instead of the dev server: the Temporal server on
// this machine's PostgreSQL with Temporal Web from the UI server (dev/temporalPostgres.ts), and two worker
// processes in place of the in-process worker. Its Temporal data stays in the databases temporal and
// temporal_visibility, so a second start finds everything again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseCampaign } from '../src/campaigns/validate';
import { loadConfig, publicUrl, sendgridApiKey } from '../src/config';
import { categoryCodes, upsertCategory, type MailingCategory } from '../src/db/categories';
import { storeCampaign } from '../src/db/campaigns';
import { importCustomerFile } from '../src/db/customerImport';
import { createDb, ensureDatabase, migrateLatest } from '../src/db/knex';
import { campaignReport, formatReport } from '../src/report/campaignReport';
import { writeHtmlReport } from '../src/report/htmlFile';
import { describeRun } from '../src/runs/format';
import { startService } from '../src/service/app';
import { runResults, startCampaignRuns } from '../src/runs/start';
import { connectClient, webUrl } from '../src/temporal/connection';
import { assembleWorkers } from '../src/temporal/worker';
import { startSendGridFake } from './sendgridFake';
import { StackShutdown } from './shutdown';
import type { RecipientScript } from './sendgridFakeEvents';
import { isServing, PROJECT_ROOT, startDevServer, type DevServer } from './temporalServer';
import { startTemporalOnPostgres } from './temporalPostgres';
import { WORKER_REPLICAS } from './topology';
import { spawnWorker, workerEnv } from './workerProcess';

const DEMO = path.join(PROJECT_ROOT, 'demo');

/** What the demo customers' mailboxes do with the welcome e-mail (every other recipient: delivered). */
const DEMO_SCRIPTS: RecipientScript[] = [
  // Alice clicks 3 s after the delivery: the welcome campaign's Check e-mail status (waiting up to 10 s) ends on it.
  { to: 'alice@example.com', steps: [{ event: 'delivered' }, { event: 'later', ms: 3000 }, { event: 'open' }, { event: 'click' }] },
  {
    to: 'gina@example.com',
    steps: [{ event: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist' }],
  },
  { to: 'jon@example.com', steps: [{ event: 'delivered' }, { event: 'open' }, { event: 'unsubscribe' }] },
  { to: 'ivy@example.com', steps: [{ event: 'delivered' }, { event: 'open' }] },
];

/** Waits (at most 30 s) for a fact. */
async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
}

/** The demo's customer ids, in the order of its file. */
function demoCustomerIds(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(shutdown: StackShutdown): Promise<void> {
  // Warnings and errors only: the demo's own output is the outcome table. The stack handles the signals itself.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const stateDir = path.resolve(argValue('--state-dir') ?? path.join(PROJECT_ROOT, '.stack'));
  const env = loadConfig();
  // The stack owns its SendGrid endpoint: the fake, unless SENDGRID_BASE_URL points elsewhere.
  const fakePort = env.sendgridFakePort;
  const config = { ...env, sendgrid: { ...env.sendgrid, baseUrl: env.sendgrid.baseUrl ?? `http://127.0.0.1:${fakePort}` } };

  const postgres = process.argv.includes('--postgres');
  let server: Pick<DevServer, 'stop'> | undefined;
  if (postgres) {
    console.log('Temporal: starting the Temporal server on PostgreSQL and Temporal Web (first start sets up its databases)...');
    const t = await startTemporalOnPostgres({ name: 'temporal', runDir: path.join(stateDir, 'temporal-postgres'), ui: true });
    server = t;
    shutdown.add('the Temporal server', () => t.stop());
    Object.assign(config, { temporalAddress: t.address, temporalWebUrl: t.webUrl });
    console.log(
      `Temporal: ${t.address} (databases ${t.databases.temporal} and ${t.databases.visibility}; logs in .stack/temporal-postgres)`,
    );
    console.log(`Temporal Web: ${t.webUrl}`);
  } else if (await isServing(config.temporalAddress)) {
    console.log(`Temporal: using the server already at ${config.temporalAddress}`);
  } else {
    const port = Number(config.temporalAddress.split(':').pop());
    const uiPort = Number(new URL(config.temporalWebUrl).port || 8233);
    console.log('Temporal: starting the dev server (first start takes a few seconds)...');
    server = await startDevServer({
      port,
      uiPort,
      dbFile: path.join(stateDir, 'temporal.db'),
      logFile: path.join(stateDir, 'temporal.log'),
    });
    shutdown.add('the Temporal dev server', () => server!.stop());
  }

  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  shutdown.add('the database pool', () => db.destroy());
  await migrateLatest(db);

  const fake = await startSendGridFake({ port: fakePort, apiKeys: [sendgridApiKey(config.sendgrid)] });
  shutdown.add('the SendGrid fake', () => fake.close());
  console.log(`SendGrid fake: ${fake.url} (accepted messages: ${fake.url}/__fake/messages)`);
  // The service checks the fake's signatures unless a real key was configured.
  const serviceConfig = {
    ...config,
    service: { ...config.service, webhookPublicKey: config.service.webhookPublicKey ?? fake.webhook.publicKey },
  };
  // The service tells runs waiting in a Check e-mail status about new events through this client.
  const client = await connectClient(config);
  shutdown.add('the Temporal client', () => client.connection.close());
  const service = await startService(serviceConfig, db, { temporal: client });
  shutdown.add('the service', () => service.close());
  const webhookUrl = config.sendgridFakeWebhookUrl ?? `${service.url}/sendgrid/events`;
  fake.webhook.configure({ url: webhookUrl });
  console.log(`Service: ${service.url} (public URL ${publicUrl(config)}); the fake posts signed events to ${webhookUrl}`);
  for (const s of DEMO_SCRIPTS) fake.webhook.script(s);

  const categories = JSON.parse(readFileSync(path.join(DEMO, 'categories.json'), 'utf8')) as MailingCategory[];
  for (const c of categories) await upsertCategory(db, c);
  const customersFile = path.join(DEMO, 'customers.jsonl');
  const { imported } = await importCustomerFile(db, customersFile);
  // The demo's own customers only: the database may hold many more, imported for other campaigns.
  const ids = demoCustomerIds(customersFile);
  const campaign = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'welcome-campaign.json'), 'utf8')), {
    categoryCodes: await categoryCodes(db),
  });
  const stored = await storeCampaign(db, campaign);
  console.log(`Demo data: ${categories.length} categories, ${imported} customers, campaign "${campaign.id}" version ${stored.version}`);

  // The dev server's stack runs its worker in this process; the production topology runs worker processes, as many
  // as compose's replicas. A worker that fails stops the stack.
  if (postgres) await workerProcesses(config, shutdown);
  else {
    const workers = await assembleWorkers({ config, db });
    const running = workers.run();
    shutdown.add('the worker', async () => {
      await workers.shutdown();
      await running;
    });
    running.catch((err: unknown) => {
      console.error('the worker failed:', err);
      void shutdown.exit(1);
    });
  }

  const started = await startCampaignRuns(
    { client, taskQueue: config.taskQueue, campaign: stored.campaign, campaignVersion: stored.version },
    ids,
  );
  const fresh = started.filter((s) => s.started).length;
  console.log(`Runs: ${fresh} started, ${started.length - fresh} already enrolled earlier (a customer passes through a campaign once)\n`);
  console.log('Each run checks its e-mail (Check e-mail status): at once on a click, else after up to 10 seconds...');
  const results = await runResults(
    client,
    started.map((s) => s.workflowId),
  );
  console.log('Outcomes:');
  for (const r of results) console.log(`  ${describeRun(r)}`);

  // SendGrid speaks back: wait until the service has taken every event, then one customer unsubscribes with one click.
  if (fresh > 0) {
    await settle(() => fake.webhook.pending() === 0);
    const ivy = fake.accepted().find((m) => m.body.personalizations?.[0]?.to?.[0]?.email === 'ivy@example.com');
    const target = /<(https?:[^>]+)>/.exec(ivy?.body.headers?.['List-Unsubscribe'] ?? '')?.[1];
    if (target) {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      console.log(`\ndemo-009 clicked "Unsubscribe" in their mail app (one-click POST): ${res.status}`);
    }
  }
  const events = await db('webhook_events')
    .where({ matched: 'recipient' })
    .whereIn('customer_id', ids)
    .whereNotNull('effects')
    .orderBy('id')
    .select('customer_id', 'event', 'effects');
  console.log('\nWhat SendGrid told the service (events with an effect; BCC copies are stored and change nothing):');
  for (const e of events) console.log(`  ${e.customer_id}\t${e.event}: ${e.effects}`);
  console.log(`\n${formatReport(await campaignReport(db, stored.campaign.id))}`);
  const picture = await writeHtmlReport({
    db,
    client,
    campaignId: stored.campaign.id,
    file: path.join(stateDir, 'welcome-report.html'),
    createFolder: true,
  });
  console.log(`\nThe same report as a picture (one HTML file, opens offline): ${picture.file}`);

  // The next campaign meets the changed customers: demo-007 bounced (email_invalid), demo-010 unsubscribed from all
  // e-mails, demo-009 left the category with one click; demo-001 opened and clicked, and is sent to again.
  const followup = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'followup-campaign.json'), 'utf8')), {
    categoryCodes: await categoryCodes(db),
  });
  const storedFollowup = await storeCampaign(db, followup);
  const next = await startCampaignRuns(
    { client, taskQueue: config.taskQueue, campaign: storedFollowup.campaign, campaignVersion: storedFollowup.version },
    ids,
  );
  console.log(
    `\nFollow-up campaign "${followup.id}", after the events (it waits 5 seconds, a Wait action, then a Split sends subject A or B):`,
  );
  const nextResults = await runResults(
    client,
    next.map((s) => s.workflowId),
  );
  for (const r of nextResults) console.log(`  ${describeRun(r)}`);

  if (postgres) console.log(`\nTemporal server on PostgreSQL: ${config.temporalAddress}; ${WORKER_REPLICAS} worker processes`);
  console.log(`\nTemporal Web: ${config.temporalWebUrl}/namespaces/${config.temporalNamespace}/workflows`);
  console.log(`  one run:    ${webUrl(config.temporalWebUrl, config.temporalNamespace, started[0].workflowId)}`);
  console.log('  (demo-001 clicked: its Check e-mail status ended early on the emailEvent signal and took the "clicked" branch)');
  console.log(`  by status:  EmailStatus="clicked" (or undelivered, delivered_not_opened, opened_not_clicked) in the filter`);
  console.log(`  by variant: CampaignId="${followup.id}" AND Variant="B" (the follow-up's subject test)`);
  console.log(`SendGrid fake messages: ${fake.url}/__fake/messages`);
  console.log('Serving until Ctrl-C. In another terminal: npx campaign-runner --help');
}

/** Two worker processes (the production worker, as compose runs it), stopped with the stack. */
async function workerProcesses(config: ReturnType<typeof loadConfig>, shutdown: StackShutdown): Promise<void> {
  const env = workerEnv({
    TEMPORAL_ADDRESS: config.temporalAddress,
    DATABASE_URL: config.databaseUrl,
    SENDGRID_BASE_URL: config.sendgrid.baseUrl ?? '',
    TASK_QUEUE: config.taskQueue,
    LAUNCH_TASK_QUEUE: config.launchTaskQueue,
  });
  const workers = Array.from({ length: WORKER_REPLICAS }, () => spawnWorker(env));
  // Ctrl-C in a terminal reaches them too; SIGTERM stops them when the stack alone was signalled, or failed.
  shutdown.add('the worker processes', async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  });
  await Promise.all(workers.map((w) => w.ready));
  console.log(`Workers: ${WORKER_REPLICAS} processes (pids ${workers.map((w) => w.child.pid).join(', ')}) polling ${config.taskQueue}`);
}

const shutdown = new StackShutdown();
shutdown.installHandlers();
main(shutdown).catch((err) => {
  console.error(err);
  void shutdown.exit(1);
});
