// The local stack (`npm start`): Temporal dev server with Temporal Web, Postgres schema, the SendGrid fake, the HTTP
// service (webhook, unsubscribe links) with the fake's Event Webhook pointed at it, demo categories and customers, a
// worker, and the demo campaign started for every demo customer. The fake then speaks back (an open, a hard bounce, an
// unsubscribe), a customer unsubscribes with one click, and a follow-up campaign shows the next run's outcomes change.
// Serves until Ctrl-C.
//
// `--postgres` (`npm run stack:postgres`): the production topology instead of the dev server: the Temporal server on
// this machine's PostgreSQL with Temporal Web from the UI server (src/dev/temporalPostgres.ts), and two worker
// processes in place of the in-process worker. Its Temporal data stays in the databases temporal and
// temporal_visibility, so a second start finds everything again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseCampaign } from '../campaigns/validate';
import { loadConfig, publicUrl, sendgridApiKey } from '../config';
import { categoryCodes, upsertCategory, type MailingCategory } from '../db/categories';
import { storeCampaign } from '../db/campaigns';
import { importCustomerFile } from '../db/customerImport';
import { createDb, ensureDatabase, migrateLatest } from '../db/knex';
import { campaignReport, formatReport } from '../report/campaignReport';
import { writeHtmlReport } from '../report/htmlFile';
import { describeRun } from '../runs/format';
import { startService } from '../service/app';
import { runResult, startCampaignRuns } from '../runs/start';
import { connectClient, webUrl } from '../temporal/connection';
import { assembleWorkers } from '../temporal/worker';
import { startSendGridFake } from './sendgridFake';
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

async function main(): Promise<void> {
  // Warnings and errors only: the demo's own output is the outcome table.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = loadConfig();
  // The stack owns its SendGrid endpoint: the fake, unless SENDGRID_BASE_URL points elsewhere.
  const fakePort = env.sendgridFakePort;
  const config = { ...env, sendgrid: { ...env.sendgrid, baseUrl: env.sendgrid.baseUrl ?? `http://127.0.0.1:${fakePort}` } };

  const postgres = process.argv.includes('--postgres');
  let server: Pick<DevServer, 'stop'> | undefined;
  if (postgres) {
    console.log('Temporal: starting the Temporal server on PostgreSQL and Temporal Web (first start sets up its databases)...');
    const t = await startTemporalOnPostgres({ name: 'temporal', runDir: path.join(PROJECT_ROOT, '.stack', 'temporal-postgres'), ui: true });
    server = t;
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
      dbFile: path.join(PROJECT_ROOT, '.stack', 'temporal.db'),
      logFile: path.join(PROJECT_ROOT, '.stack', 'temporal.log'),
    });
  }

  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);

  const fake = await startSendGridFake({ port: fakePort, apiKeys: [sendgridApiKey(config.sendgrid)] });
  console.log(`SendGrid fake: ${fake.url} (accepted messages: ${fake.url}/__fake/messages)`);
  // The service checks the fake's signatures unless a real key was configured.
  const serviceConfig = {
    ...config,
    service: { ...config.service, webhookPublicKey: config.service.webhookPublicKey ?? fake.webhook.publicKey },
  };
  // The service tells runs waiting in a Check e-mail status about new events through this client.
  const client = await connectClient(config);
  const service = await startService(serviceConfig, db, { temporal: client });
  const webhookUrl = config.sendgridFakeWebhookUrl ?? `${service.url}/sendgrid/events`;
  fake.webhook.configure({ url: webhookUrl });
  console.log(`Service: ${service.url} (public URL ${publicUrl(config)}); the fake posts signed events to ${webhookUrl}`);
  for (const s of DEMO_SCRIPTS) fake.webhook.script(s);

  const categories = JSON.parse(readFileSync(path.join(DEMO, 'categories.json'), 'utf8')) as MailingCategory[];
  for (const c of categories) await upsertCategory(db, c);
  const { imported } = await importCustomerFile(db, path.join(DEMO, 'customers.jsonl'));
  const campaign = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'welcome-campaign.json'), 'utf8')), {
    categoryCodes: await categoryCodes(db),
  });
  const stored = await storeCampaign(db, campaign);
  console.log(`Demo data: ${categories.length} categories, ${imported} customers, campaign "${campaign.id}" version ${stored.version}`);

  // The dev server's stack runs its worker in this process; the production topology runs worker processes, as many
  // as compose's replicas, and stops on Ctrl-C itself.
  const running = postgres ? workerProcesses(config) : (await assembleWorkers({ config, db })).run();

  const ids = (await db('customers').select('external_id').orderBy('external_id')).map((r) => r.external_id as string);
  const started = await startCampaignRuns(
    { client, taskQueue: config.taskQueue, campaign: stored.campaign, campaignVersion: stored.version },
    ids,
  );
  const fresh = started.filter((s) => s.started).length;
  console.log(`Runs: ${fresh} started, ${started.length - fresh} already enrolled earlier (a customer passes through a campaign once)\n`);
  console.log('Each run checks its e-mail (Check e-mail status): at once on a click, else after up to 10 seconds...');
  const results = await Promise.all(started.map((s) => runResult(client, s.workflowId)));
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
      console.log(`\nc-009 clicked "Unsubscribe" in their mail app (one-click POST): ${res.status}`);
    }
  }
  const events = await db('webhook_events')
    .where({ matched: 'recipient' })
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
    file: path.join(PROJECT_ROOT, '.stack', 'welcome-report.html'),
    createFolder: true,
  });
  console.log(`\nThe same report as a picture (one HTML file, opens offline): ${picture.file}`);

  // The next campaign meets the changed customers: c-007 bounced (email_invalid), c-010 unsubscribed from all e-mails,
  // c-009 left the category with one click; c-001 opened and clicked, and is sent to again.
  const followup = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'followup-campaign.json'), 'utf8')), {
    categoryCodes: await categoryCodes(db),
  });
  const storedFollowup = await storeCampaign(db, followup);
  const next = await startCampaignRuns(
    { client, taskQueue: config.taskQueue, campaign: storedFollowup.campaign, campaignVersion: storedFollowup.version },
    ids,
  );
  console.log(`\nFollow-up campaign "${followup.id}", after the events (it waits 5 seconds, a Wait action, before its e-mail):`);
  for (const r of await Promise.all(next.map((s) => runResult(client, s.workflowId)))) console.log(`  ${describeRun(r)}`);

  if (postgres) console.log(`\nTemporal server on PostgreSQL: ${config.temporalAddress}; ${WORKER_REPLICAS} worker processes`);
  console.log(`\nTemporal Web: ${config.temporalWebUrl}/namespaces/${config.temporalNamespace}/workflows`);
  console.log(`  one run:    ${webUrl(config.temporalWebUrl, config.temporalNamespace, started[0].workflowId)}`);
  console.log('  (c-001 clicked: its Check e-mail status ended early on the emailEvent signal and took the "clicked" branch)');
  console.log(`  by status:  EmailStatus="clicked" (or undelivered, delivered_not_opened, opened_not_clicked) in the filter`);
  console.log(`SendGrid fake messages: ${fake.url}/__fake/messages`);
  console.log('Serving until Ctrl-C. In another terminal: npx campaign-runner --help');

  await running; // the SDK ends the worker on SIGINT/SIGTERM
  await client.connection.close();
  await service.close();
  await fake.close();
  await db.destroy();
  await server?.stop();
  console.log('stopped');
}

/** Two worker processes (the production worker, as compose runs it); resolves once Ctrl-C has stopped both. */
async function workerProcesses(config: ReturnType<typeof loadConfig>): Promise<void> {
  const env = workerEnv({
    TEMPORAL_ADDRESS: config.temporalAddress,
    DATABASE_URL: config.databaseUrl,
    SENDGRID_BASE_URL: config.sendgrid.baseUrl ?? '',
    TASK_QUEUE: config.taskQueue,
    LAUNCH_TASK_QUEUE: config.launchTaskQueue,
  });
  const workers = Array.from({ length: WORKER_REPLICAS }, () => spawnWorker(env));
  await Promise.all(workers.map((w) => w.ready));
  console.log(`Workers: ${WORKER_REPLICAS} processes (pids ${workers.map((w) => w.child.pid).join(', ')}) polling ${config.taskQueue}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // The children got Ctrl-C's SIGINT from the terminal too; SIGTERM also stops them when the stack alone was signalled.
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
