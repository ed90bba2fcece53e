// The CLI (a child process) given bad files and bad options: every one is one line on stderr, naming the file, line,
// option or field, a non-zero exit, nothing on stdout, and nothing written to the database. The bad invocations get a
// Temporal address where nothing listens, so none of them can have started a workflow either: they stop at the input.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, runCli, type CliResult } from '../support/cli';
import { snapshotTables } from '../support/dbSnapshot';
import { testEnv } from '../support/env';
import { seedCategories, uid } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';
import { INPUT_LIMITS } from '../../src/cli/inputFile';

/** `s` as a literal in a regular expression (file paths). */
const lit = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const NO_TEMPORAL = { TASK_QUEUE: 'nobody-polls', LAUNCH_TASK_QUEUE: 'nobody-polls-launches', TEMPORAL_ADDRESS: '127.0.0.1:1' };

/** Writes `bytes` bytes made of `piece`, in 1 MB writes (a 50 MB file is never held in memory whole). */
function writeRepeated(file: string, piece: Buffer, bytes: number): void {
  const block = Buffer.alloc(1024 * 1024, piece);
  const fd = openSync(file, 'w');
  try {
    for (let left = bytes; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  } finally {
    closeSync(fd);
  }
}

function runAsNobody(...args: string[]): Promise<CliResult> {
  const { databaseUrl } = testEnv();
  const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, BIN, ...args], {
    env: { ...process.env, ...NO_TEMPORAL, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function canReadAsNobody(file: string): boolean {
  try {
    execFileSync('runuser', ['-u', 'nobody', '--', 'test', '-r', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `check` over `items`, three at a time: each CLI call is a process start, and most of its time is waiting. */
async function eachConcurrently<T>(items: readonly T[], check: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await check(item);
  };
  await Promise.all([worker(), worker(), worker()]);
}

describe('CLI: bad files and options', function () {
  this.timeout(600_000);
  let dir: string;
  let campaign: string;
  const f: Record<string, string> = {};

  before(async () => {
    await seedCategories();
    await customer({}, 'known');
    campaign = (await emailCampaign()).campaign.id;
    dir = mkdtempSync(path.join(tmpdir(), 'cr-bad-'));
    chmodSync(dir, 0o755); // user nobody reads in here
    const file = (name: string, content: string | Buffer) => {
      writeFileSync((f[name] = path.join(dir, name)), content);
      return f[name];
    };
    f.missing = path.join(dir, 'missing.json');
    f.underFile = path.join(file('plain.txt', 'x'), 'child.json');
    file('empty', '');
    file('blank', '\n \n\t\n');
    mkdirSync((f.directory = path.join(dir, 'a-directory')));
    execFileSync('mkfifo', [(f.fifo = path.join(dir, 'fifo'))]); // no writer: opening it for reading would wait forever
    file('binary', Buffer.from([0x7b, 0x22, 0x00, 0xff, 0xfe, 0x0a, 0x01, 0x02]));
    file('latin1', Buffer.from('{"id": "x", "name": "Caf\xe9", "actions": []}\n', 'latin1'));
    writeRepeated((f.huge = path.join(dir, 'huge-50mb')), Buffer.from('x'), 50 * 1024 * 1024); // text, one 50 MB line
    writeRepeated((f.hugeBinary = path.join(dir, 'huge-50mb.bin')), Buffer.from([0x00, 0x9f, 0x41]), 50 * 1024 * 1024);
    file('unreadable', '{"id": "secret"}');
    chmodSync(f.unreadable, 0o000);
  });

  async function expectRefused(
    args: string[],
    line: RegExp,
    run: (...a: string[]) => Promise<CliResult> = (...a) => runCli(NO_TEMPORAL, ...a),
  ) {
    const { db } = testEnv();
    const before = await snapshotTables(db);
    const r = await run(...args);
    const what = `campaign-runner ${args.join(' ').slice(0, 200)}`;
    assert.equal(r.code, 1, `${what}: exit code (stderr: ${r.stderr.slice(0, 500)})`);
    assert.match(r.stderr, /^error: [^\n]+\n$/, `${what}: one line on stderr, got ${JSON.stringify(r.stderr.slice(0, 500))}`);
    assert.match(r.stderr, line, what);
    assert.equal(r.stdout, '', `${what}: nothing on stdout`);
    assert.deepEqual(await snapshotTables(db), before, `${what}: nothing written`);
  }

  const fileCases: [name: string, expected: (file: string) => RegExp][] = [
    ['missing', (p) => new RegExp(`^error: ${lit(p)}: no such file\\n`)],
    ['underFile', (p) => new RegExp(`^error: ${lit(p)}: no such file \\(a part of the path is not a directory\\)\\n`)],
    ['empty', (p) => new RegExp(`^error: ${lit(p)}: the file is empty\\n`)],
    ['directory', (p) => new RegExp(`^error: ${lit(p)}: is a directory, not a file\\n`)],
    ['fifo', (p) => new RegExp(`^error: ${lit(p)}: not a regular file \\(a pipe, socket or device cannot be read as input\\)\\n`)],
    ['binary', (p) => new RegExp(`^error: ${lit(p)}: line 1: a NUL byte at offset 2: a binary file, not text\\n`)],
    [
      'latin1',
      (p) => new RegExp(`^error: ${lit(p)}: line 1: not UTF-8 text \\(byte 0xE9 at offset 24; a binary file, or another encoding\\)\\n`),
    ],
    ['hugeBinary', (p) => new RegExp(`^error: ${lit(p)}: (line 1: a NUL byte at offset 0|50 MB is more than)`)],
  ];
  const commands: [string, (file: string) => string[]][] = [
    ['campaigns validate', (p) => ['campaigns', 'validate', p]],
    ['campaigns store', (p) => ['campaigns', 'store', p]],
    ['customers import', (p) => ['customers', 'import', p]],
    ['run --customers-file', (p) => ['run', '--campaign', campaign, '--customers-file', p]],
    ['launch --customers-file', (p) => ['launch', '--campaign', campaign, '--customers-file', p, '--launch-id', 'never']],
  ];

  for (const [command, args] of commands) {
    it(`${command}: a missing, misplaced, empty, directory, FIFO, binary, Latin-1 or 50 MB binary file is one line`, async () => {
      await eachConcurrently(fileCases, ([name, expected]) => expectRefused(args(f[name]), expected(f[name])));
    });
  }

  it('a 50 MB text file: over the campaign file limit, one line too long to import, not a customer id', async () => {
    const p = f.huge;
    await expectRefused(
      ['campaigns', 'validate', p],
      new RegExp(`^error: ${lit(p)}: 50 MB is more than the 16 MB a campaign file may hold\\n`),
    );
    await expectRefused(['campaigns', 'store', p], /50 MB is more than the 16 MB/);
    await expectRefused(
      ['run', '--campaign', campaign, '--customers-file', p],
      new RegExp(`^error: ${lit(p)}: line 1: "x{40}…" is not a customer id\\n`),
    );
    assert.ok(50 * 1024 * 1024 < INPUT_LIMITS.idFileBytes, 'read whole, and refused by its content');
    // The import streams any size; its one line is longer than an import line may be.
    const { db } = testEnv();
    const before = await snapshotTables(db);
    const r = await runCli(NO_TEMPORAL, 'customers', 'import', p);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: customer import rejected, nothing was written (1 error):\n  line 1: line is longer than 65536 bytes\n');
    assert.deepEqual(await snapshotTables(db), before);
  });

  it('a file with only blank lines or comments holds nothing', async () => {
    await expectRefused(['campaigns', 'validate', f.blank], /the file is empty/);
    await expectRefused(['run', '--campaign', campaign, '--customers-file', f.blank], /the file is empty/);
    // The import streams the file and skips blank lines: one with nothing else holds no customer, in the import's own form.
    const { db } = testEnv();
    const before = await snapshotTables(db);
    const r = await runCli(NO_TEMPORAL, 'customers', 'import', f.blank);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: customer import rejected, nothing was written (1 error):\n  line 1: the file holds no customers\n');
    assert.equal(r.stdout, '');
    assert.deepEqual(await snapshotTables(db), before);
    const comments = path.join(dir, 'comments.txt');
    writeFileSync(comments, '# nobody yet\n\n');
    await expectRefused(['launch', '--campaign', campaign, '--customers-file', comments], /comments\.txt: holds no customer ids/);
  });

  it('an unreadable file (read as user nobody: root reads through chmod 000) is one line', async function () {
    if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/runuser')) this.skip(); // not root: chmod 000 already stops us
    // A checkout nobody may enter (e.g. one cloned into a `mktemp -d` folder, mode 700) cannot run the CLI as nobody at
    // all: that says nothing about the unreadable file.
    if (!canReadAsNobody(BIN)) this.skip();
    const nobody = (...a: string[]) => runAsNobody(...a);
    const p = f.unreadable;
    const expected = new RegExp(`^error: ${lit(p)}: permission denied\\n`);
    await expectRefused(['campaigns', 'validate', p], expected, nobody);
    await expectRefused(['campaigns', 'store', p], expected, nobody);
    await expectRefused(['customers', 'import', p], expected, nobody);
    await expectRefused(['run', '--campaign', campaign, '--customers-file', p], expected, nobody);
    await expectRefused(['launch', '--campaign', campaign, '--customers-file', p], expected, nobody);
  });

  it('unknown commands and options, missing and extra arguments are one line', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^error: unknown command 'frobnicate' \(--help shows the usage\)\n$/],
      [['campains', 'validate', 'x'], /^error: unknown command 'campains' \(Did you mean campaigns\?\) \(--help shows the usage\)\n$/],
      [['campaigns', 'frob'], /unknown command 'frob'/],
      [['campaigns', 'validate'], /missing required argument 'file'/],
      [['campaigns', 'validate', 'a.json', 'b.json'], /too many arguments/],
      [['campaigns', 'store', '--force', 'x.json'], /unknown option '--force'/],
      [['customers', 'import'], /missing required argument 'file'/],
      [['customers', 'import', '--merge', 'x'], /unknown option '--merge'/],
      [['run', '--customer', 'a'], /required option '--campaign <id>' not specified/],
      [['launch', '--campaign'], /option '--campaign <id>' argument missing/],
      [['categories', 'add', '--name', 'x'], /required option '--code <code>' not specified/],
      [['categories', 'add', '--code', 'x', '--name', 'y', '--colour', 'red'], /unknown option '--colour'/],
    ];
    await eachConcurrently(cases, ([args, line]) => expectRefused(args, line));
  });

  it('run and launch with bad option values are one line', async () => {
    const cases: [string[], RegExp][] = [
      [['run', '--campaign', campaign], /give --customer <id\.\.\.> or --customers-file <file>/],
      [
        ['run', '--campaign', campaign, '--customer', 'bad id\nsecond line'],
        /^error: --customer: "bad id\\nsecond line" is not a customer id\n$/,
      ],
      [
        ['run', '--campaign', campaign, '--campaign-version', 'abc', '--customer', 'a'],
        /--campaign-version: "abc" is not a version number/,
      ],
      [['run', '--campaign', 'no-such\u202ecampaign', '--customer', 'a'], /--campaign: no stored campaign "no-such\\u202ecampaign"/],
      [['run', '--campaign', campaign, '--campaign-version', '99', '--customer', 'a'], /no stored campaign "[^"]+" version 99/],
      [['launch', '--campaign', campaign, '--all', '--tag', 'vip'], /give exactly one of --all, --tag <tag>, --customers-file <file>/],
      [['launch', '--campaign', campaign], /give exactly one of/],
      [['launch', '--campaign', campaign, '--all', '--page-size', '0'], /--page-size: a whole number from 1 to 1000/],
      [['launch', '--campaign', campaign, '--all', '--page-size', '1e3x'], /--page-size/],
      [['launch', '--campaign', campaign, '--all', '--launch-id', 'bad id'], /--launch-id: "bad id" must be 1-64/],
      [['stop', '--campaign', 'x" OR CampaignId!="'], /^error: --campaign: "x\\" OR CampaignId!=\\"" is not a campaign id\n$/],
      [['replay', '--query', 'x', '--limit', '-1'], /--limit: "-1" is not a positive whole number/],
    ];
    await eachConcurrently(cases, ([args, line]) => expectRefused(args, line));
  });

  it('preview, test-send and why with bad arguments are one line naming the argument', async () => {
    const known = (await testEnv().db('customers').first('external_id')).external_id as string;
    const target = ['--campaign', campaign, '--action', 'email'];
    const cases: [string[], RegExp][] = [
      [['preview', '--campaign', campaign, '--customer', known], /required option '--action <id>' not specified/],
      [['preview', ...target], /^error: --customer: give --customer <id> or --test-customer\n$/],
      [['preview', ...target, '--customer', known, '--test-customer'], /^error: --test-customer: give it or --customer <id>, not both\n$/],
      [['preview', ...target, '--customer', 'bad id'], /^error: --customer: "bad id" is not a customer id\n$/],
      [['preview', ...target, '--customer', 'nobody-here'], /^error: --customer: no customer "nobody-here"\n$/],
      [['preview', ...target, '--test-customer', '--at', 'tomorrow'], /^error: --at: "tomorrow" is not a time with its zone/],
      [['preview', ...target, '--test-customer', '--at', '2026-12-24T09:00:00'], /^error: --at: /],
      [
        ['preview', '--campaign', 'no-such-campaign', '--action', 'email', '--test-customer'],
        /^error: --campaign: no stored campaign "no-such-campaign"\n$/,
      ],
      [['preview', ...target, '--campaign-version', 'x', '--test-customer'], /^error: --campaign-version: "x" is not a version number\n$/],
      [
        ['preview', '--campaign', campaign, '--action', 'nope', '--test-customer'],
        /^error: --action: campaign "[^"]+" version 1 has no action "nope"\n$/,
      ],
      [
        ['preview', '--campaign', campaign, '--action', 'tag', '--test-customer'],
        /^error: --action: action "tag" of campaign "[^"]+" version 1 is a setTag action, not a Send e-mail\n$/,
      ],
      [
        ['preview', ...target, '--test-customer', '--html', path.join(dir, 'no', 'such', 'dir.html')],
        /^error: --html: cannot write "[^"]+" \(ENOENT\)\n$/,
      ],
      [['test-send', ...target, '--test-customer'], /required option '--to <address>' not specified/],
      [
        ['test-send', ...target, '--test-customer', '--to', 'not an address'],
        /^error: --to: "not an address" is not a valid e-mail address\n$/,
      ],
      [
        ['test-send', '--campaign', campaign, '--action', 'tag', '--test-customer', '--to', 'qa@example.org'],
        /^error: --action: .* is a setTag action/,
      ],
      [['why', '--campaign', campaign], /required option '--customer <id>' not specified/],
      [['why', '--campaign', campaign, '--customer', 'bad id'], /^error: --customer: "bad id" is not a customer id\n$/],
      [['why', '--campaign', 'x" OR 1', '--customer', known], /^error: --campaign: "x\\" OR 1" is not a campaign id\n$/],
    ];
    // A SendGrid endpoint on loopback (the fake): the configuration is fine, so every refusal is the argument's.
    const withFake = (...a: string[]) => runCli({ ...NO_TEMPORAL, SENDGRID_BASE_URL: testEnv().fake.url }, ...a);
    await eachConcurrently(cases, ([args, line]) => expectRefused(args, line, withFake));
  });

  it('a Temporal server or a database that cannot be used is one line naming the setting, never the URL', async () => {
    // Nothing listens on 127.0.0.1:1: the run needs Temporal once its campaign and customer are found.
    const known = (await testEnv().db('customers').first('external_id')).external_id as string;
    await expectRefused(
      ['run', '--campaign', campaign, '--customer', known],
      /^error: Temporal cannot be reached at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\): /,
    );
    const { databaseUrl } = testEnv();
    const withDb =
      (url: string) =>
      (...a: string[]) =>
        runCli({ ...NO_TEMPORAL, DATABASE_URL: url }, ...a);
    const missing = new URL(databaseUrl);
    missing.pathname = `/${uid('no_such_db').replace(/-/g, '_')}`;
    await expectRefused(
      ['customers', 'import', f.blank],
      new RegExp(`^error: the database cannot be used \\(DATABASE_URL\\): database "${missing.pathname.slice(1)}" does not exist\\n$`),
      withDb(missing.href),
    );
    const closed = new URL(databaseUrl);
    closed.port = '1';
    closed.password = 'not-printed';
    const r = await withDb(closed.href)('customers', 'import', f.blank);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: the database cannot be used \(DATABASE_URL\): connect ECONNREFUSED [^\n]*:1\n$/);
    assert.ok(!r.stderr.includes('not-printed'), 'the password is not printed');
  });

  it('categories add with bad values is one line, and writes no category', async () => {
    const taken = uid('grp');
    const ok = await runCli(NO_TEMPORAL, 'categories', 'add', '--code', taken, '--name', 'Grouped', '--asm-group', '424242');
    assert.equal(ok.code, 0, ok.stderr);
    const cases: [string[], RegExp][] = [
      [['--code', 'bad code', '--name', 'x'], /^error: --code: must be 1-64 letters, digits, _ or -\n$/],
      [['--code', 'ok', '--name', '   '], /--name: must not be empty/],
      [['--code', 'ok', '--name', 'x'.repeat(201)], /--name: must be at most 200 characters/],
      [['--code', 'ok', '--name', 'tab\there'], /--name: must not contain control characters/],
      [['--code', 'ok', '--name', 'red\u001b[31m'], /--name: must not contain control characters/],
      [['--code', 'ok', '--name', 'x', '--asm-group', 'abc'], /--asm-group: must be a SendGrid suppression group id/],
      [['--code', 'ok', '--name', 'x', '--asm-group', '9999999999'], /--asm-group: must be at most 2147483647/],
      [
        ['--code', 'ok', '--name', 'x', '--asm-group', '424242'],
        new RegExp(`--asm-group: group 424242 already belongs to category "${taken}"`),
      ],
      [['--code', 'ok', '--name', 'x', '--hidden', '--asm-group', '5'], /--asm-group: a hidden category cannot be unsubscribed from/],
    ];
    await eachConcurrently(cases, ([args, line]) => expectRefused(['categories', 'add', ...args], line));
  });
});
