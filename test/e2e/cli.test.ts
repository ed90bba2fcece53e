// The CLI as a user runs it (a child process), against the test database and Temporal server: bad input is refused
// with its path or line, and nothing is written or started.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from '../support/cli';
import { testEnv } from '../support/env';
import { launchWorkflowId } from '../../src/contract';
import { eventually, importLines, uid, useWorker } from '../support/harness';
import { emailCampaign, emailSettings, emailThenTag } from '../support/campaigns';

describe('CLI', function () {
  const w = useWorker();
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cr-cli-'));
  });

  function cli(...args: string[]): Promise<CliResult> {
    return runCli({ TASK_QUEUE: w.taskQueue, LAUNCH_TASK_QUEUE: w.launchTaskQueue }, ...args);
  }

  function file(name: string, content: string): string {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  }

  it('imports customers, stores a campaign, starts runs and prints their results with --wait', async () => {
    const a = uid('cli');
    const b = uid('cli');
    const lines = [
      { id: a, email: `${a}@example.com`, emailSubscribed: true, categories: { news: true } },
      { id: b, email: `${b}@example.com`, emailSubscribed: false },
    ];
    let r = await cli('customers', 'import', file('ok.jsonl', lines.map((l) => JSON.stringify(l)).join('\n')));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 2 customers/);
    const id = uid('camp');
    const campaignFile = file('c.json', JSON.stringify(emailThenTag(id, emailSettings({ categoryCode: 'news' }))));
    r = await cli('campaigns', 'store', campaignFile);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`campaign "${id}" version 1 stored`));
    r = await cli('campaigns', 'store', campaignFile);
    assert.match(r.stdout, /version 1 unchanged/);
    const ids = file('ids.txt', `# demo\n${a}\n\n${b}\n`);
    r = await cli('run', '--campaign', id, '--customers-file', ids, '--wait');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`campaign-run:${id}:${a}\\tstarted\\thttp://`));
    assert.match(r.stdout, new RegExp(`${a}\\temail: sent \\(message [\\w-]+\\) \\| tag: done`));
    assert.match(r.stdout, new RegExp(`${b}\\temail: skipped: email_channel_unsubscribed \\| tag: not_run`));
    r = await cli('run', '--campaign', id, '--customer', a);
    assert.match(r.stdout, /already enrolled/);
  });

  it('an invalid campaign is refused with every JSON path, and nothing is stored', async () => {
    const id = uid('bad');
    const doc = {
      id,
      name: 'x',
      actions: [
        {
          id: 'e',
          type: 'sendEmail',
          settings: { ...emailSettings({ categoryCode: 'nope' }), subject: '{{ customer.phone }}' },
          children: [{ id: 'e', type: 'sendSms', settings: {} }],
        },
      ],
    };
    const r = await cli('campaigns', 'store', file('bad.json', JSON.stringify(doc)));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\$\.actions\[0\]\.settings\.subject: unknown variable "customer\.phone"/);
    assert.match(r.stderr, /\$\.actions\[0\]\.settings\.categoryCode: unknown mailing category "nope"/);
    assert.match(r.stderr, /\$\.actions\[0\]\.children\[0\]\.type: unknown action type "sendSms"/);
    assert.match(r.stderr, /\$\.actions\[0\]\.children\[0\]\.id: duplicate action id "e"/);
    assert.equal(r.stdout, '');
    assert.equal((await testEnv().db('campaigns').where({ id })).length, 0);
    const syntax = await cli('campaigns', 'validate', file('syntax.json', '{\n  "id": "x",\n  "name": oops\n}'));
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /syntax\.json: line 3, column 11: not valid JSON \(unexpected "o"\)/);
    assert.equal(syntax.stdout, '');
    const deep = await cli('campaigns', 'validate', file('deep.json', '{"id": "x",\n "actions": ' + '['.repeat(100_000)));
    assert.equal(deep.code, 1);
    assert.match(deep.stderr, /deep\.json: line 2, column 140: too deeply nested \(more than 128 levels of arrays and objects\)/);
    assert.equal(deep.stdout, '');
  });

  it('customers import streams a 20,000-line file: a bad line near the end writes nothing, the fixed file imports', async () => {
    const prefix = uid('big');
    // Multi-byte names and CRLF endings, so that lines and characters straddle the read stream's chunks.
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ id: `${prefix}-${i}`, email: `${prefix}-${i}@example.com`, emailSubscribed: i % 2 === 0, firstName: `Zoé-${i}` }),
    );
    const bad = [...lines];
    bad[19_989] = JSON.stringify({ id: `${prefix}-19989`, emailSubscribed: true, firstName: 'Zo\u0000é' });
    const count = async () => Number((await testEnv().db('customers').where('external_id', 'like', `${prefix}-%`).count({ n: '*' }))[0].n);
    let r = await cli('customers', 'import', file('big-bad.jsonl', bad.join('\r\n') + '\r\n'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nothing was written \(1 error\)/);
    assert.match(r.stderr, /line 19990: firstName: contains a NUL character/);
    assert.equal(await count(), 0);
    r = await cli('customers', 'import', file('big.jsonl', lines.join('\r\n') + '\r\n'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 20000 customers/);
    assert.equal(await count(), 20_000);
    const last = await testEnv()
      .db('customers')
      .where({ external_id: `${prefix}-19999` })
      .first();
    assert.equal(last.first_name, 'Zoé-19999');
  });

  it('an import with bad lines is refused with every line and field, and nothing is written', async () => {
    const good = uid('imp');
    const text = [
      JSON.stringify({ id: good, email: `${good}@example.com`, emailSubscribed: true }),
      JSON.stringify({ id: uid('imp'), emailSubscribed: 'yes' }),
      '{broken',
    ].join('\n');
    const r = await cli('customers', 'import', file('bad.jsonl', text));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nothing was written \(2 errors\)/);
    assert.match(r.stderr, /line 2: emailSubscribed: /);
    assert.match(r.stderr, /line 3: not valid JSON/);
    assert.equal(r.stdout, '');
    assert.equal((await testEnv().db('customers').where({ external_id: good })).length, 0);
  });

  it('a run with an unknown customer or campaign starts nothing', async () => {
    const a = uid('cli');
    await cli('customers', 'import', file('one.jsonl', JSON.stringify({ id: a, email: `${a}@example.com`, emailSubscribed: true })));
    const id = uid('camp');
    await cli('campaigns', 'store', file('c2.json', JSON.stringify(emailThenTag(id, emailSettings()))));
    let r = await cli('run', '--campaign', id, '--customer', a, 'ghost-1');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown customer id\(s\), nothing started: ghost-1/);
    assert.equal(r.stdout, '');
    r = await cli('run', '--campaign', 'no-such-campaign', '--customer', a);
    assert.match(r.stderr, /--campaign: no stored campaign "no-such-campaign"/);
    const bad = file('ids-bad.txt', `${a}\nnot an id\n`);
    r = await cli('run', '--campaign', id, '--customers-file', bad);
    assert.match(r.stderr, /ids-bad\.txt: line 2: "not an id" is not a customer id/);
    const handle = testEnv().client.workflow.getHandle(`campaign-run:${id}:${a}`);
    await assert.rejects(handle.describe(), /not found/i);
  });

  it('launch shows progress and ends with the report; report --json is the same document', async () => {
    const tag = uid('tag');
    const lines = Array.from({ length: 12 }, (_, i) => ({
      id: `${tag}-${i}`,
      email: i % 4 === 0 ? null : `${tag}-${i}@example.com`,
      emailSubscribed: i % 3 !== 0,
      tags: [tag],
    }));
    await cli('customers', 'import', file('aud.jsonl', lines.map((l) => JSON.stringify(l)).join('\n')));
    const id = uid('camp');
    await cli('campaigns', 'store', file('c3.json', JSON.stringify(emailThenTag(id, emailSettings()))));
    const r = await cli('launch', '--campaign', id, '--tag', tag, '--page-size', '5', '--launch-id', `${tag}-l1`, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`launch ${tag}-l1: launch:${id}:${tag}-l1 \\(12 customers\\)`));
    assert.match(r.stderr, /started 12\/12 \(already enrolled 0\) {2}finished 12 {2}sent \d+ {2}skipped \d+ {2}failed 0/);
    const report = JSON.parse(r.stdout);
    const expectedSent = lines.filter((l, i) => l.email !== null && i % 3 !== 0).length;
    assert.equal(report.campaignId, id);
    assert.equal(report.totals.customersReached, 12);
    assert.equal(report.totals.sent, expectedSent);
    assert.equal(report.totals.skipped.total, 12 - expectedSent);
    const again = await cli('report', '--campaign', id, '--json');
    assert.deepEqual({ ...JSON.parse(again.stdout), generatedAt: null }, { ...report, generatedAt: null });
    const table = await cli('report', '--campaign', id);
    // reached, sent, late, maybe dup, dup, skipped
    assert.match(table.stdout, new RegExp(`^email\\s+12\\s+${expectedSent}\\s+0\\s+0\\s+0\\s+${12 - expectedSent}\\s`, 'm'));
    assert.match(table.stdout, /^TOTAL\s+12\s/m);
    const bad = await cli('launch', '--campaign', id, '--tag', tag, '--all');
    assert.match(bad.stderr, /give exactly one of --all, --tag <tag>, --customers-file <file>/);
  });

  it('launch with an unknown id in --customers-file prints one clean line, exits non-zero, starts and stores nothing', async () => {
    const known = uid('cli');
    const ghost = uid('ghost');
    await importLines([{ id: known, email: `${known}@example.com`, emailSubscribed: true }]);
    const { campaign } = await emailCampaign();
    const r = await cli('launch', '--campaign', campaign.id, '--customers-file', file('launch-ids.txt', `${known}\n${ghost}\n`));
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr, `error: unknown customer id(s), nothing launched: ${ghost}\n`, 'one line, no stack trace');
    assert.equal(r.stdout, '');
    const { db, client } = testEnv();
    assert.equal((await db('launch_audience').where({ customer_id: known })).length, 0, 'no id list stored');

    // Nothing started: a good launch of the same campaign afterwards is the only launch visibility ever shows.
    const ok = await cli(
      'launch',
      '--campaign',
      campaign.id,
      '--customers-file',
      file('launch-ok.txt', `${known}\n`),
      '--launch-id',
      'good',
    );
    assert.equal(ok.code, 0, ok.stderr);
    const launches = async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `CampaignId="${campaign.id}" AND WorkflowType="launchCampaign"` })) {
        ids.push(wf.workflowId);
      }
      return ids;
    };
    assert.deepEqual(await eventually(launches, (ids) => ids.length > 0, 60_000), [launchWorkflowId(campaign.id, 'good')]);
    assert.deepEqual(
      (await db('launch_audience').where({ customer_id: known })).map((row) => row.launch_id),
      ['good'],
    );
  });
});
