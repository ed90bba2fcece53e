// The built-in unsubscribe secret is public: the worker and service processes refuse to start with it beyond loopback,
// with one line naming UNSUBSCRIBE_SECRET, before they connect to anything. And a rotated secret keeps the links already
// sent working until the configured time, over real HTTP against the test database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { emailSubscriptionState } from '../../src/db/subscriptions';
import { signUnsubscribeToken } from '../../src/email/unsubscribeToken';
import { startService } from '../../src/service/app';
import { BIN } from '../support/cli';
import { freePort, testEnv } from '../support/env';
import { importLines, uid } from '../support/harness';

const WORKER = path.resolve(__dirname, '..', '..', 'src', 'worker.js');
const NEW = 'n'.repeat(40);
const OLD = 'o'.repeat(40);

/** Runs a process with only `env` (and PATH); kills it after `ms`. */
function runProcess(args: string[], env: Record<string, string>, ms = 20_000): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

function assertRefused(r: { code: number | null; stderr: string }, what: string): void {
  assert.equal(r.code, 1, `${what} exits 1 (got ${r.code}; stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line, got:\n${r.stderr}`);
  assert.match(lines[0], /^error: UNSUBSCRIBE_SECRET is required: /, what);
}

describe('No public unsubscribe secret beyond loopback', function () {
  // Nothing answers here: a process that tried to connect before checking its configuration would fail differently.
  const nowhere = { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' };

  it('a worker refuses to start when its links or e-mails leave loopback, or the service does not bind it', async () => {
    const envs: Record<string, string>[] = [
      { SENDGRID_API_KEY: 'SG.k' }, // SendGrid itself
      { SENDGRID_BASE_URL: 'http://127.0.0.1:3030', PUBLIC_URL: 'http://127.0.0.1:3040', SERVICE_HOST: '0.0.0.0' },
      { SENDGRID_BASE_URL: 'http://127.0.0.1:3030', PUBLIC_URL: 'https://mail.example.com' },
    ];
    for (const env of envs) {
      assertRefused(await runProcess([WORKER], { ...nowhere, ...env }), `worker ${JSON.stringify(env)}`);
    }
  });

  it('the service refuses to start on 0.0.0.0 with loopback links and no UNSUBSCRIBE_SECRET', async () => {
    const port = await freePort();
    const env = {
      ...nowhere,
      SERVICE_HOST: '0.0.0.0',
      SERVICE_PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SENDGRID_WEBHOOK_PUBLIC_KEY: testEnv().fake.webhook.publicKey,
    };
    assertRefused(await runProcess([BIN, 'serve'], env), 'service');
  });
});

describe('Rotating the unsubscribe secret (the service, over HTTP)', function () {
  const oneClick = (url: string) =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

  /** The service with UNSUBSCRIBE_SECRET=NEW and the previous secret accepted until `until`. */
  async function rotatedService(until: Date) {
    const c = loadConfig({
      SERVICE_HOST: '127.0.0.1',
      UNSUBSCRIBE_SECRET: NEW,
      UNSUBSCRIBE_SECRET_PREVIOUS: OLD,
      UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL: until.toISOString(),
    });
    return startService({ ...c, service: { ...c.service, webhookPublicKey: testEnv().fake.webhook.publicKey } }, testEnv().db, {
      port: 0,
      log: () => undefined,
    });
  }

  async function subscribed(): Promise<string> {
    const id = uid('rotate');
    await importLines([{ id, email: `${id}@example.com`, emailSubscribed: true }]);
    return id;
  }

  const channelActive = async (id: string) => (await emailSubscriptionState(testEnv().db, id, null))?.channelActive;

  it('takes a link signed with the previous secret until the configured time, and new links always', async () => {
    const service = await rotatedService(new Date(Date.now() + 3_600_000));
    try {
      for (const secret of [OLD, NEW]) {
        const id = await subscribed();
        const token = signUnsubscribeToken(secret, { customerId: id, categoryCode: null, sendKey: `k-${id}/email` });
        assert.equal((await oneClick(`${service.url}/unsubscribe/${token}`)).status, 200, secret === OLD ? 'old link' : 'new link');
        assert.equal(await channelActive(id), false);
      }
    } finally {
      await service.close();
    }
  });

  it('refuses a link signed with the previous secret after that time, and changes nothing', async () => {
    const service = await rotatedService(new Date(Date.now() - 1000));
    try {
      const id = await subscribed();
      const token = signUnsubscribeToken(OLD, { customerId: id, categoryCode: null, sendKey: `k-${id}/email` });
      assert.equal((await oneClick(`${service.url}/unsubscribe/${token}`)).status, 400);
      assert.equal(await channelActive(id), true);
    } finally {
      await service.close();
    }
  });
});
