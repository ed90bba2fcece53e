// One environment for the whole test run: a Temporal dev server (started here unless TEMPORAL_ADDRESS names one; with
// TEST_TOPOLOGY=postgres, the production topology's Temporal server on PostgreSQL with Temporal Web, on fresh databases
// of its own), the project's own test database, the SendGrid fake, and the workflow bundle, built once.
import net from 'node:net';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig, type Config } from '../../src/config';
import { createDb, migrateLatest, recreateDatabase, type Db } from '../../src/db/knex';
import { startDevServer, PROJECT_ROOT, type DevServer } from '../../dev/temporalServer';
import { startTemporalOnPostgres } from '../../dev/temporalPostgres';
import { offsetPorts } from '../../dev/topology';
import { startSendGridFake, type SendGridFake } from '../../dev/sendgridFake';
import { workflowBundleOptions } from '../../src/temporal/workerShared';

export interface TestEnv {
  temporalAddress: string;
  namespace: string;
  client: Client;
  nativeConnection: NativeConnection;
  db: Db;
  databaseUrl: string;
  fake: SendGridFake;
  workflowBundle: WorkflowBundleWithSourceMap;
}

let env: TestEnv | undefined;
let server: Pick<DevServer, 'address' | 'webUrl' | 'stop'> | undefined;

export function testEnv(): TestEnv {
  if (!env) throw new Error('test environment not set up (run the suite through test/support/run.ts)');
  return env;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** CI runs against Postgres as the session left it: start it if a previous test (or anything) stopped it. */
export function ensurePostgres(): void {
  try {
    execSync('pg_isready -q -h 127.0.0.1 -p 5432', { stdio: 'ignore' });
  } catch {
    execSync('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start', { stdio: 'inherit', shell: '/bin/bash' });
    execSync('for i in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; exit 1', { shell: '/bin/bash' });
  }
}

export async function setUp(): Promise<TestEnv> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  ensurePostgres();
  const base = loadConfig();
  const databaseUrl = base.testDatabaseUrl;
  await recreateDatabase(databaseUrl);
  const db = createDb(databaseUrl, { max: 20 });
  await migrateLatest(db);

  // Tests start their own server unless TEMPORAL_ADDRESS names one.
  let temporalAddress = process.env.TEMPORAL_ADDRESS ? base.temporalAddress : undefined;
  if (!temporalAddress && base.testTopology === 'postgres') {
    // Its own databases and ports (the stack's, moved by 200), so that it runs beside `npm run stack:postgres`.
    server = await startTemporalOnPostgres({
      name: 'temporal_test',
      ports: offsetPorts(200),
      runDir: path.join(PROJECT_ROOT, '.tools', 'test-temporal-postgres'),
      fresh: true,
      ui: true,
    });
    temporalAddress = server.address;
  } else if (!temporalAddress) {
    const port = await freePort();
    server = await startDevServer({
      port,
      uiPort: Number(process.env.TEST_TEMPORAL_UI_PORT) || (await freePort()),
      logFile: path.join(PROJECT_ROOT, '.tools', 'test-temporal.log'),
    });
    temporalAddress = server.address;
  }
  const namespace = base.temporalNamespace;
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, namespace });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const fake = await startSendGridFake({ port: 0 });
  const workflowBundle = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  env = { temporalAddress, namespace, client, nativeConnection, db, databaseUrl, fake, workflowBundle };
  return env;
}

/** The configuration a test worker runs with: the production defaults pointed at the test server, database and fake. */
export function testConfig(o: {
  taskQueue: string;
  launchTaskQueue: string;
  apiKey?: string;
  baseUrl?: string;
  timeoutMs?: number;
  publicUrl?: string;
}): Config {
  const e = testEnv();
  const base = loadConfig();
  return {
    ...base,
    temporalAddress: e.temporalAddress,
    temporalNamespace: e.namespace,
    databaseUrl: e.databaseUrl,
    taskQueue: o.taskQueue,
    launchTaskQueue: o.launchTaskQueue,
    sendgrid: { apiKey: o.apiKey, baseUrl: o.baseUrl ?? e.fake.url, timeoutMs: o.timeoutMs ?? 8000 },
    workerRoles: ['runs', 'launches'],
    tuning: {},
    service: { ...base.service, host: '127.0.0.1', publicUrl: o.publicUrl ?? base.service.publicUrl },
    unsubscribe: { secret: undefined, mailto: base.unsubscribe.mailto },
  };
}

export function temporalWebUrl(): string | undefined {
  return server?.webUrl;
}

export async function tearDown(): Promise<void> {
  if (env) {
    await env.fake.close();
    await env.nativeConnection.close();
    await env.client.connection.close();
    await env.db.destroy();
  }
  await server?.stop();
}
