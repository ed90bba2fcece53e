// The local stack (`npm start`): Temporal dev server with Temporal Web, Postgres schema, the SendGrid fake, demo
// categories and customers, a worker, and the demo campaign started for every demo customer. Serves until Ctrl-C.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseCampaign } from '../campaigns/validate';
import { loadConfig, sendgridApiKey } from '../config';
import { categoryCodes, upsertCategory, type MailingCategory } from '../db/categories';
import { storeCampaign } from '../db/campaigns';
import { importCustomerFile } from '../db/customerImport';
import { createDb, ensureDatabase, migrateLatest } from '../db/knex';
import { describeRun } from '../runs/format';
import { runResult, startCampaignRuns } from '../runs/start';
import { connectClient, webUrl } from '../temporal/connection';
import { assembleWorkers } from '../temporal/worker';
import { startSendGridFake } from './sendgridFake';
import { isServing, PROJECT_ROOT, startDevServer, type DevServer } from './temporalServer';

const DEMO = path.join(PROJECT_ROOT, 'demo');

async function main(): Promise<void> {
  // Warnings and errors only: the demo's own output is the outcome table.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = loadConfig();
  // The stack owns its SendGrid endpoint: the fake, unless SENDGRID_BASE_URL points elsewhere.
  const fakePort = env.sendgridFakePort;
  const config = { ...env, sendgrid: { ...env.sendgrid, baseUrl: env.sendgrid.baseUrl ?? `http://127.0.0.1:${fakePort}` } };

  let server: DevServer | undefined;
  if (await isServing(config.temporalAddress)) {
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

  const categories = JSON.parse(readFileSync(path.join(DEMO, 'categories.json'), 'utf8')) as MailingCategory[];
  for (const c of categories) await upsertCategory(db, c);
  const { imported } = await importCustomerFile(db, path.join(DEMO, 'customers.jsonl'));
  const campaign = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'welcome-campaign.json'), 'utf8')), {
    categoryCodes: await categoryCodes(db),
  });
  const stored = await storeCampaign(db, campaign);
  console.log(`Demo data: ${categories.length} categories, ${imported} customers, campaign "${campaign.id}" version ${stored.version}`);

  const client = await connectClient(config);
  const workers = await assembleWorkers({ config, db });
  const running = workers.run();

  const ids = (await db('customers').select('external_id').orderBy('external_id')).map((r) => r.external_id as string);
  const started = await startCampaignRuns(
    { client, taskQueue: config.taskQueue, campaign: stored.campaign, campaignVersion: stored.version },
    ids,
  );
  const fresh = started.filter((s) => s.started).length;
  console.log(`Runs: ${fresh} started, ${started.length - fresh} already enrolled earlier (a customer passes through a campaign once)\n`);
  const results = await Promise.all(started.map((s) => runResult(client, s.workflowId)));
  console.log('Outcomes:');
  for (const r of results) console.log(`  ${describeRun(r)}`);

  console.log(`\nTemporal Web: ${config.temporalWebUrl}/namespaces/${config.temporalNamespace}/workflows`);
  console.log(`  one run:    ${webUrl(config.temporalWebUrl, config.temporalNamespace, started[0].workflowId)}`);
  console.log(`SendGrid fake messages: ${fake.url}/__fake/messages`);
  console.log('Serving until Ctrl-C. In another terminal: npx campaign-runner --help');

  await running; // the SDK ends the worker on SIGINT/SIGTERM
  await client.connection.close();
  await fake.close();
  await db.destroy();
  await server?.stop();
  console.log('stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
