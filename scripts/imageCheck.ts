// The run half of scripts/image-check.sh: the built image as the migration job, a worker and the HTTP service, each in
// its own buildah container (chroot isolation, the host's network), against the native PostgreSQL topology (the
// Temporal server on this machine's PostgreSQL, dev/temporalPostgres.ts) and the SendGrid fake on loopback. The
// image's own CLI stores the data and launches a short campaign; this process checks the outcome from outside. Exits 1
// with the failed check (and the tails of the containers' logs) on any failure.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { LOOPBACK_UNSUBSCRIBE_SECRET, loadConfig } from '../src/config';
import { createDb, type Db } from '../src/db/knex';
import { emailSubscriptionState } from '../src/db/subscriptions';
import { signUnsubscribeToken } from '../src/email/unsubscribeToken';
import type { CampaignReport } from '../src/report/campaignReport';
import { startSendGridFake, type SendGridFake } from '../dev/sendgridFake';
import { PROJECT_ROOT } from '../dev/temporalServer';
import { startTemporalOnPostgres, type PostgresTemporal } from '../dev/temporalPostgres';
import { offsetPorts, temporalClientTlsEnv, TLS_FILES } from '../dev/topology';
import { temporalTlsConfig } from '../src/temporal/connection';

const run = promisify(execFile);
const IMAGE = process.argv[2];
const RUN_DIR = path.join(PROJECT_ROOT, '.tools', 'image-check');
const DATA_DIR = path.join(RUN_DIR, 'data');
const CERTS_DIR = path.join(RUN_DIR, 'certs');
/** Where the containers find the client's certificates: mounted read-only, as a secret is. */
const CERTS_MOUNT = '/run/secrets/temporal';
/** Its own databases and ports (the stack's moved by 500), beside the stack, the suite's server and the benchmark's. */
const TEMPORAL_NAME = 'temporal_image_check';
const PORTS = offsetPorts(500);
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/campaign_runner_image_check';
const CAMPAIGN = 'image-check';
const API_KEY = 'SG.image-check-key';
/** A real secret, as production has one: the built-in one must not be what the containers use. */
const SECRET = randomBytes(32).toString('hex');
const CUSTOMERS = [
  { id: 'ic-1', email: 'ic-1@example.com', emailSubscribed: true, categories: { news: true }, firstName: 'Ada' },
  { id: 'ic-2', email: 'ic-2@example.com', emailSubscribed: true, categories: { news: true } },
  { id: 'ic-3', email: 'ic-3@example.com', emailSubscribed: false, categories: { news: true } },
];

/** An e-mail in the category "news", then a tag: a few seconds a run. */
const SHORT_CAMPAIGN = {
  id: CAMPAIGN,
  name: 'Image check',
  actions: [
    {
      id: 'check-email',
      type: 'sendEmail',
      settings: {
        from: { email: 'news@shop.example.com', name: 'Example Shop' },
        subject: 'Hello {{ customer.firstName | default: "friend" }}',
        html: '<p>Hello</p><p><a href="https://shop.example.com/week">This week</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
        categoryCode: 'news',
      },
      children: [{ id: 'tag-checked', type: 'setTag', settings: { tag: 'image-checked' }, children: [] }],
    },
  ],
};

let phaseStart = Date.now();
function done(what: string): void {
  console.log(`image-check:   ${what} (${((Date.now() - phaseStart) / 1000).toFixed(1)} s)`);
  phaseStart = Date.now();
}

class CheckFailed extends Error {}
function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new CheckFailed(what);
}

async function buildah(args: string[]): Promise<string> {
  return (await run('buildah', args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** One working container of the image; each long-running process gets its own. */
class Container {
  private readonly procs: ChildProcess[] = [];
  private constructor(readonly name: string) {}

  static async create(role: string): Promise<Container> {
    const name = `campaign-runner-image-check-${role}`;
    await buildah(['rm', name]).catch(() => undefined); // one left by an interrupted run
    await buildah(['from', '--pull=never', '--name', name, IMAGE]);
    return new Container(name);
  }

  private args(cmd: string[], env: Record<string, string>, volumes: string[]): string[] {
    return [
      'run',
      '--isolation',
      'chroot',
      '--network',
      'host',
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      ...volumes.flatMap((v) => ['-v', v]),
      this.name,
      '--',
      ...cmd,
    ];
  }

  /** Runs a command to its end (at most `ms`). */
  async exec(cmd: string[], env: Record<string, string> = {}, volumes: string[] = [], ms = 120_000) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('buildah', this.args(cmd, env, volumes), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      const timer = setTimeout(() => kill(child, 'SIGKILL'), ms);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Starts a long-running command; its output goes to RUN_DIR/<name>.log, and `lines` sees its stdout. */
  start(cmd: string[], env: Record<string, string>, volumes: string[] = []): { child: ChildProcess; log: string; output: () => string } {
    const log = path.join(RUN_DIR, `${this.name}.log`);
    const fd = openSync(log, 'w');
    const child = spawn('buildah', this.args(cmd, env, volumes), { stdio: ['ignore', 'pipe', fd], detached: true });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      writeFileSync(log, String(d), { flag: 'a' });
    });
    this.procs.push(child);
    return { child, log, output: () => out };
  }

  async remove(): Promise<void> {
    await Promise.all(this.procs.map((p) => stop(p)));
    await buildah(['rm', this.name]).catch(() => undefined);
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal); // buildah and what it runs: the whole group
  } catch {
    /* gone */
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    kill(child, 'SIGTERM');
    setTimeout(() => kill(child, 'SIGKILL'), 10_000).unref();
  });
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new CheckFailed(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function dropProjectDatabase(): Promise<void> {
  const name = new URL(DATABASE_URL).pathname.slice(1);
  const pg = new PgClient({ connectionString: DATABASE_URL.replace(/\/[^/]+$/, '/postgres') });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}

interface ImageConfig {
  User?: string;
  Env?: string[];
  Cmd?: string[];
  Healthcheck?: { Test?: string[] };
}

/** What the image is, before anything runs: non-root, production, a healthcheck, and no tools, tests or sources. */
async function checkImage(jobs: Container): Promise<ImageConfig> {
  const config = (JSON.parse(await buildah(['inspect', '--type', 'image', IMAGE])) as { Docker: { config: ImageConfig } }).Docker.config;
  check(config.User && !/^(0|root)(:|$)/.test(config.User), `the image runs as a user other than root (USER is "${config.User}")`);
  check(config.Env?.includes('NODE_ENV=production'), 'the image sets NODE_ENV=production');
  check(config.Healthcheck?.Test?.length, 'the image has a HEALTHCHECK');
  check(config.Cmd?.includes('dist/src/worker.js'), 'the default command is the worker');
  const absent = ['src', 'test', 'bench', 'scripts', 'demo', 'dist/src/dev', 'dist/test', 'node_modules/typescript', 'node_modules/mocha'];
  const r = await jobs.exec([
    'sh',
    '-c',
    `id -u; for p in ${absent.join(' ')}; do [ -e "$p" ] && echo "present: $p"; done; grep -rl startSendGridFake dist || true`,
  ]);
  check(r.code === 0, `a shell runs in the image (${r.stderr.trim()})`);
  const [uid, ...found] = r.stdout.trim().split('\n');
  check(uid !== '0', `processes run as uid ${uid}, not root`);
  check(found.length === 0, `the image holds only production output: ${found.join(', ')}`);
  done(`image: uid ${uid}, NODE_ENV=production, HEALTHCHECK, no ${absent.join(', ')}, no SendGrid fake`);
  return config;
}

async function main(): Promise<void> {
  check(IMAGE, 'usage: node dist/scripts/imageCheck.js IMAGE');
  rmSync(RUN_DIR, { recursive: true, force: true });
  mkdirSync(DATA_DIR, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  const logs: string[] = [];
  try {
    const jobs = await Container.create('jobs');
    cleanups.push(() => jobs.remove());
    const imageConfig = await checkImage(jobs);

    await dropProjectDatabase();
    // The frontend as docs/production.md opens it: mTLS required, with a throw-away CA.
    await run('bash', [path.join(PROJECT_ROOT, 'scripts', 'temporal-certs.sh'), CERTS_DIR]);
    chmodSync(path.join(CERTS_DIR, TLS_FILES.clientKey), 0o644); // the containers' user reads it (not root)
    const temporal: PostgresTemporal = await startTemporalOnPostgres({
      name: TEMPORAL_NAME,
      ports: PORTS,
      runDir: path.join(RUN_DIR, 'temporal'),
      fresh: true,
      tlsDir: CERTS_DIR,
      ui: true,
    });
    cleanups.push(() => temporal.stop());
    const clientTls = temporalTlsConfig(loadConfig(temporalClientTlsEnv(CERTS_DIR)).temporalTls)!;
    for (const [what, tls] of [
      ['without TLS', undefined],
      ['without a client certificate', { ...clientTls, clientCertPair: undefined }],
    ] as const) {
      const refused = await Connection.connect({ address: temporal.address, connectTimeout: 5000, ...(tls ? { tls } : {}) }).then(
        async (c) => {
          const ok = await c.healthService.check({}).then(
            () => true,
            () => false,
          );
          await c.close();
          return !ok;
        },
        () => true,
      );
      check(refused, `the frontend refuses a client ${what}`);
    }
    const namespaces = await fetch(`${temporal.webUrl}/api/v1/namespaces`);
    check(
      namespaces.ok && (await namespaces.text()).includes('"default"'),
      `Temporal Web reads the namespaces over mTLS (${namespaces.status})`,
    );
    const fake: SendGridFake = await startSendGridFake({ port: 0, apiKeys: [API_KEY] });
    cleanups.push(() => fake.close());
    done(
      `native topology: Temporal server on PostgreSQL at ${temporal.address} (mTLS required; Temporal Web over mTLS at ${temporal.webUrl}), SendGrid fake at ${fake.url}`,
    );

    // The migration job creates the database and applies every migration.
    const common = { DATABASE_URL, TEMPORAL_ADDRESS: temporal.address, UNSUBSCRIBE_SECRET: SECRET, ...temporalClientTlsEnv(CERTS_MOUNT) };
    const certs = [`${CERTS_DIR}:${CERTS_MOUNT}:ro`];
    const migrate = await jobs.exec(['node', 'bin/campaign-runner.js', 'migrate'], { DATABASE_URL });
    check(
      migrate.code === 0 && /^applied: /m.test(migrate.stdout),
      `migrate exits 0 and applies migrations: ${migrate.stdout}${migrate.stderr}`,
    );
    done('migrate job: database created, migrations applied');
    const db: Db = createDb(DATABASE_URL, { max: 2 });
    cleanups.push(() => db.destroy());

    // The service, as compose runs it, with a real secret and the fake's webhook key.
    const servicePort = PORTS.ui + 1;
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    const serviceEnv = {
      ...common,
      SERVICE_HOST: '127.0.0.1',
      SERVICE_PORT: String(servicePort),
      PUBLIC_URL: serviceUrl,
      SENDGRID_WEBHOOK_PUBLIC_KEY: fake.webhook.publicKey,
    };
    const serviceBox = await Container.create('service');
    cleanups.push(() => serviceBox.remove());
    const service = serviceBox.start(['node', 'bin/campaign-runner.js', 'serve'], serviceEnv, certs);
    logs.push(service.log);
    await until('the service answers /readyz with 200', 60_000, async () =>
      (await fetch(`${serviceUrl}/readyz`)).status === 200 ? true : undefined,
    );
    const health = await jobs.exec(imageConfig.Healthcheck!.Test!.slice(1), serviceEnv);
    check(health.code === 0, `the image's HEALTHCHECK passes against the service (exit ${health.code}: ${health.stderr.trim()})`);
    done(`service: /readyz 200 at ${serviceUrl}, HEALTHCHECK ok`);
    fake.webhook.configure({ url: `${serviceUrl}/sendgrid/events`, flushMs: 50 });

    // The worker: the image's default command.
    const workerBox = await Container.create('worker');
    cleanups.push(() => workerBox.remove());
    const worker = workerBox.start(
      imageConfig.Cmd!,
      {
        ...common,
        SENDGRID_API_KEY: API_KEY,
        SENDGRID_BASE_URL: fake.url,
        PUBLIC_URL: serviceUrl,
      },
      certs,
    );
    logs.push(worker.log);
    await until('the worker polls', 90_000, async () => (worker.output().includes('worker polling') ? true : undefined));
    done('worker: polling');

    // The data and the launch, through the image's own CLI.
    writeFileSync(path.join(DATA_DIR, 'customers.jsonl'), CUSTOMERS.map((c) => JSON.stringify(c)).join('\n'));
    writeFileSync(path.join(DATA_DIR, 'campaign.json'), JSON.stringify(SHORT_CAMPAIGN));
    const cli = async (...args: string[]) => {
      const r = await jobs.exec(['node', 'bin/campaign-runner.js', ...args], common, [`${DATA_DIR}:/data:ro`, ...certs]);
      check(r.code === 0, `campaign-runner ${args.join(' ')} exits 0: ${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    await cli('categories', 'add', '--code', 'news', '--name', 'News');
    await cli('customers', 'import', '/data/customers.jsonl');
    await cli('campaigns', 'store', '/data/campaign.json');
    const report = JSON.parse(await cli('launch', '--campaign', CAMPAIGN, '--all', '--json')) as CampaignReport;
    check(
      report.totals.sent === 2 && report.totals.skipped.total === 1,
      `the report: 2 sent, 1 skipped (${JSON.stringify(report.totals)})`,
    );
    const client = new Client({ connection: await Connection.connect({ address: temporal.address, tls: clientTls }) });
    cleanups.push(() => client.connection.close());
    const completed = await client.workflow.count(`CampaignId = "${CAMPAIGN}" AND ExecutionStatus = "Completed"`);
    check(completed.count === CUSTOMERS.length + 1, `every run and the launcher completed (${completed.count})`);
    const accepted = fake.accepted();
    check(
      accepted.length === 2 && accepted.every((m) => m.apiKey === API_KEY),
      `the fake took 2 e-mails with the key (${accepted.length})`,
    );
    done(`campaign: ${completed.count} workflows completed through the containerized worker, 2 sent, 1 skipped`);

    // SendGrid's side: the fake posts each message's events as signed batches to the containerized service.
    await until('the service takes every signed event batch', 30_000, async () => (fake.webhook.pending() === 0 ? true : undefined));
    const deliveries = fake.webhook.deliveries();
    check(
      deliveries.length > 0 && deliveries.every((d) => d.status === 200),
      `every batch answered 200 (${deliveries.map((d) => d.status)})`,
    );
    const stored = await db('webhook_events').where({ matched: 'recipient' }).count<{ n: string }[]>({ n: '*' });
    check(Number(stored[0].n) === fake.webhook.events().length, `the service stored every event (${stored[0].n})`);
    done(`service: ${deliveries.length} signed batch(es), ${stored[0].n} events stored`);

    // A one-click unsubscribe from the link the worker signed.
    const message = accepted.find((m) => m.body.personalizations[0].to[0].email === 'ic-1@example.com');
    const link = /<(https?:[^>]+)>/.exec(message?.body.headers?.['List-Unsubscribe'] ?? '')?.[1];
    check(
      link !== undefined && link.startsWith(`${serviceUrl}/unsubscribe/`),
      `the e-mail carries the service's unsubscribe link (${link})`,
    );
    const oneClick = (url: string) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    const forged = signUnsubscribeToken(LOOPBACK_UNSUBSCRIBE_SECRET, { customerId: 'ic-2', categoryCode: 'news', sendKey: 'x/y' });
    check((await oneClick(`${serviceUrl}/unsubscribe/${forged}`)).status === 400, 'a link signed with the built-in secret gets 400');
    check((await oneClick(link)).status === 200, 'the one-click unsubscribe answers 200');
    const state = await emailSubscriptionState(db, 'ic-1', 'news');
    check(state?.categorySubscribed === false && state.channelActive, `ic-1 left the category "news" (${JSON.stringify(state)})`);
    done('service: one-click unsubscribe taken; a link signed with the built-in secret refused');
  } catch (err) {
    for (const log of logs) {
      const text = readFileSync(log, 'utf8').trim().split('\n').slice(-15).join('\n');
      console.error(`--- the last lines of ${path.relative(PROJECT_ROOT, log)}:\n${text}`);
    }
    throw err;
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e) => console.error(`cleanup: ${String(e)}`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`image-check: FAILED: ${err instanceof CheckFailed ? err.message : (err?.stack ?? String(err))}`);
    process.exit(1);
  },
);
