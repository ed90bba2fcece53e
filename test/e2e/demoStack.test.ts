// `npm start` on a database that holds more than the demo (issue 28): the local stack touches only the demo's own
// customers, categories and campaigns, shows the demo's ten outcomes again on a second start, sends nothing to anyone
// else, exits cleanly on Ctrl-C, and leaves no child process behind, not even when it crashes.
//
// The stack runs as `npm start` runs it (its compiled entry point, `npm start` only builds first), in a process group of
// its own as a terminal gives it: Ctrl-C is SIGINT to the whole group. Its Temporal dev server, SendGrid fake and
// service get free ports and its state folder is a temporary one, so that it runs beside a developer's own stack.
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { categoryCodes, upsertCategory } from '../../src/db/categories';
import { loadLatestCampaign, storeCampaign } from '../../src/db/campaigns';
import { importCustomerFile } from '../../src/db/customerImport';
import { createDb, migrateLatest, recreateDatabase, type Db } from '../../src/db/knex';
import { parseCampaign } from '../../src/campaigns/validate';
import { freePort, testEnv } from '../support/env';
import { emailThenTag, emailSettings } from '../support/campaigns';
import { ROOT } from '../support/paths';

const STACK = path.join(ROOT, 'dist', 'dev', 'stack.js');
const OTHERS = 5000;

/** The demo's own customer ids, as its file names them. */
function demoCustomerIds(): string[] {
  return readFileSync(path.join(ROOT, 'demo', 'customers.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

interface Started {
  child: ChildProcess;
  output(): string;
  closed: Promise<number | null>;
}

/** The stack in a process group of its own (the terminal's foreground group, in a test). */
function startStack(env: Record<string, string>, args: string[] = []): Started {
  const child = spawn(process.execPath, [STACK, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => out, closed };
}

/** The processes still in a process group. */
function groupMembers(pgid: number): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && Number(l.split(/\s+/)[1]) === pgid);
}

/** Waits until the group is empty (children may need a moment after their parent's exit); returns what is left. */
async function leftInGroup(pgid: number, ms = 10_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = groupMembers(pgid);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = groupMembers(pgid);
  }
  return left;
}

function killGroup(pgid: number | undefined): void {
  if (!pgid) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

describe('the local stack (npm start) on a database that holds more than the demo', function () {
  this.timeout(600_000);
  let db: Db;
  let databaseUrl: string;
  let stateDir: string;
  const groups: number[] = [];
  const demo = demoCustomerIds();

  /** Every send the ledger holds for a customer that is not the demo's. */
  async function othersSends(): Promise<string[]> {
    const rows = await db('send_ledger').whereNotIn('customer_id', demo).select('customer_id', 'campaign_id');
    return rows.map((r) => `${r.campaign_id}/${r.customer_id}`);
  }

  /** What the others' rows and the user's own category and campaign look like (the demo must not change them). */
  async function othersState(): Promise<unknown> {
    const customers = await db('customers').whereNotIn('external_id', demo).orderBy('external_id').select();
    const subscriptions = await db('category_subscriptions')
      .whereNotIn('customer_id', demo)
      .orderBy(['customer_id', 'category_code'])
      .select();
    const category = await db('mailing_categories').where({ code: 'news' }).first();
    const campaign = await loadLatestCampaign(db, 'welcome');
    return { customers, subscriptions, category, campaign: campaign && { version: campaign.version } };
  }

  before(async () => {
    databaseUrl = `${testEnv().databaseUrl}_stack`;
    await recreateDatabase(databaseUrl);
    db = createDb(databaseUrl);
    await migrateLatest(db);
    // The user's own data: a category "news" of their own, 5,000 customers subscribed to it (imported for other
    // campaigns), and a campaign of their own named "welcome".
    await upsertCategory(db, { code: 'news', name: 'Our newsletter', visible: true, defaultEmailSubscribed: true, asmGroupId: 777 });
    stateDir = mkdtempSync(path.join(tmpdir(), 'cr-stack-'));
    const file = path.join(stateDir, 'others.jsonl');
    const lines: string[] = [];
    for (let i = 1; i <= OTHERS; i++) {
      const id = `other-${String(i).padStart(5, '0')}`;
      lines.push(JSON.stringify({ id, email: `${id}@customers.example.net`, emailSubscribed: true, categories: { news: true } }));
    }
    writeFileSync(file, lines.join('\n'));
    await importCustomerFile(db, file);
    const own = parseCampaign(emailThenTag('welcome', emailSettings({ categoryCode: 'news' })), { categoryCodes: await categoryCodes(db) });
    await storeCampaign(db, own);
  });

  after(async () => {
    for (const g of groups) killGroup(g);
    await db?.destroy();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  async function stackEnv(): Promise<Record<string, string>> {
    return {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      TEMPORAL_WEB_URL: `http://127.0.0.1:${await freePort()}`,
      SENDGRID_FAKE_PORT: String(await freePort()),
      SERVICE_PORT: String(await freePort()),
      TEMPORAL_BIN: path.join(ROOT, '.tools', 'bin', 'temporal'),
      // the stack's own choices, not the suite's
      SENDGRID_BASE_URL: '',
      SENDGRID_API_KEY: '',
      PUBLIC_URL: '',
    };
  }

  /** One start: until it serves (failing at once if it sends to anyone but the demo), then Ctrl-C. */
  async function startServeAndStop(env: Record<string, string>): Promise<string> {
    const s = startStack(env, ['--state-dir', stateDir]);
    const pgid = s.child.pid!;
    groups.push(pgid);
    let exit: number | null | 'running' = 'running';
    void s.closed.then((c) => (exit = c));
    const deadline = Date.now() + 300_000;
    while (!s.output().includes('Serving until Ctrl-C')) {
      if (exit !== 'running') assert.fail(`the stack exited (${exit}) before it served:\n${s.output()}`);
      const sends = await othersSends();
      if (sends.length) assert.fail(`the stack sent to ${sends.length} customers of others (${sends.slice(0, 3).join(', ')}, ...)`);
      if (Date.now() > deadline) assert.fail(`the stack did not serve within 300 s:\n${s.output()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // The fake holds every message the stack sent: only to the demo's addresses (and the demo campaign's BCC).
    const fakeUrl = `http://127.0.0.1:${env.SENDGRID_FAKE_PORT}`;
    const accepted = (await (await fetch(`${fakeUrl}/__fake/messages`)).json()) as { body: any }[];
    const to = accepted.flatMap((m) => (m.body.personalizations ?? []).flatMap((p: any) => (p.to ?? []).map((t: any) => t.email)));
    assert.deepEqual(
      to.filter((e: string) => e.endsWith('@customers.example.net')),
      [],
      'the fake got mail for customers of others',
    );

    process.kill(-pgid, 'SIGINT'); // Ctrl-C
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([s.closed, new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 60_000)))]);
    clearTimeout(timer);
    assert.notEqual(code, 'late', `the stack did not exit within 60 s of Ctrl-C:\n${s.output()}`);
    assert.equal(code, 0, `the stack's exit code after Ctrl-C:\n${s.output()}`);
    assert.match(s.output(), /^stopped$/m);
    assert.deepEqual(await leftInGroup(pgid), [], 'processes of the stack still running after it exited');
    return s.output();
  }

  it("starts twice: the second start shows the demo's ten, nobody else is sent to or changed, Ctrl-C stops everything", async () => {
    const before = await othersState();
    const first = await startServeAndStop(await stackEnv());
    assert.match(first, /Runs: 10 started, 0 already enrolled/);
    const second = await startServeAndStop(await stackEnv());
    assert.match(second, /Runs: 0 started, 10 already enrolled/);
    // The outcome table: one line for each of the demo's customers, nobody else.
    const outcomes = second.split('Outcomes:\n')[1]?.split('\n\n')[0] ?? '';
    const ids = outcomes
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.trim().split(/\s+/)[0]);
    assert.deepEqual(ids.sort(), [...demo].sort(), `the second start's outcomes:\n${outcomes}`);
    assert.deepEqual(await othersSends(), []);
    assert.deepEqual(await othersState(), before, 'the demo changed the customers, category or campaign of others');
  });

  it("a crash stops the stack's children: no dev server is left running", async () => {
    const env = await stackEnv();
    // The dev server starts first; then the database cannot be reached, and the stack fails.
    const s = startStack({ ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere` }, ['--state-dir', stateDir]);
    const pgid = s.child.pid!;
    groups.push(pgid);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([s.closed, new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 180_000)))]);
    clearTimeout(timer);
    assert.equal(code, 1, `the stack should fail on the database:\n${s.output()}`);
    assert.match(s.output(), /dev server/, 'the dev server had started before the failure');
    assert.deepEqual(await leftInGroup(pgid), [], `processes of the stack still running after it failed:\n${s.output()}`);
  });
});
