// preview, test-send and why (issue 24), as a user runs them: the CLI as a child process against a real worker, the
// test server, Postgres, the SendGrid fake over HTTP and the HTTP service (unsubscribe links, the event webhook).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { campaignReport } from '../../src/report/campaignReport';
import { TEST_SENDS_PER_HOUR } from '../../src/inspect/testSend';
import type { Why } from '../../src/inspect/why';
import type { Preview } from '../../src/inspect/preview';
import { emailCampaign, emailSettings, storeDoc } from '../support/campaigns';
import { runCli } from '../support/cli';
import { customer } from '../support/customers';
import { snapshotTables, WRITTEN_TABLES } from '../support/dbSnapshot';
import { testEnv } from '../support/env';
import { acceptedFor, eventually, outcomeOf, runToEnd, uid, useWorker } from '../support/harness';
import { useService } from '../support/service';

// The worker renders at this time, and preview is told the same: 'now' in a template then means one instant for both.
const AT = '2026-12-24T09:00:00.000Z';
// Everything a send composes: Liquid with customer data and 'now', UTM tags, the unsubscribe link in the body and the
// headers, BCC, reply-to, text, the category (and its SendGrid group).
const RICH = emailSettings({
  replyTo: { email: 'help@shop.example.com', name: 'Help desk' },
  subject: 'Hi {{ customer.firstName }}, {{ customer.attributes.points }} points on {{ "now" | date: "%Y-%m-%d" }}',
  html:
    '<p>Dear {{ customer.firstName }} {{ customer.lastName }} &amp; <b>{{ customer.attributes.plan }}</b></p>' +
    '<p>{{ "now" | date: "%Y-%m-%d %H:%M:%S" }}</p><a href="https://shop.example.com/sale?x=1">Sale</a>' +
    '<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
  text: 'Hello {{ customer.firstName }} ({{ customer.tags | join: "," }}) {{ unsubscribe_url }}',
  categoryCode: 'news',
  bcc: ['audit@shop.example.com'],
  utm: { source: 'campaign-runner', medium: 'email', campaign: 'preview' },
});

/** Every table a send, a run or the webhook could write, beyond the CLI's: a test send leaves them all as they were. */
const SEND_TABLES = [...WRITTEN_TABLES, 'send_delivery', 'flow_log', 'email_soft_failures', 'launches'];

const htmlOf = (body: any): string => body.content.find((c: { type: string }) => c.type === 'text/html').value;

describe('preview, test-send and why', function () {
  this.timeout(240_000);
  const service = useService();
  const w = useWorker(() => ({ publicUrl: service.url, clock: () => new Date(AT) }));
  const cli = (...args: string[]) =>
    runCli(
      { TASK_QUEUE: w.taskQueue, LAUNCH_TASK_QUEUE: w.launchTaskQueue, SENDGRID_BASE_URL: testEnv().fake.url, PUBLIC_URL: service.url },
      ...args,
    );
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args, '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  };
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cr-preview-'));
  });

  it('preview writes nothing and is what the send then sends, byte for byte (same customer, same time)', async () => {
    const { db } = testEnv();
    const c = await customer(
      { firstName: 'Zoë', lastName: 'Ng <&>', attributes: { plan: 'gold "x"', points: 42 }, tags: ['vip', 'new'] },
      'pv',
    );
    const stored = await storeDoc({
      id: uid('pv-camp'),
      name: 'Preview <test>',
      actions: [{ id: 'email', type: 'sendEmail', settings: RICH, children: [] }],
    });
    const id = stored.campaign.id;
    const file = path.join(dir, 'preview.html');

    const before = await snapshotTables(db, [...SEND_TABLES, 'webhook_events', 'test_sends']);
    const p = await json<Preview>('preview', '--campaign', id, '--action', 'email', '--customer', c.id, '--at', AT, '--html', file);
    const text = await cli('preview', '--campaign', id, '--action', 'email', '--customer', c.id, '--at', AT, '--html', `${file}.2`);
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(await snapshotTables(db, [...SEND_TABLES, 'webhook_events', 'test_sends']), before, 'preview writes nothing');
    assert.equal(
      testEnv()
        .fake.accepted()
        .filter((m) => m.body.personalizations[0].to[0].email === c.email).length,
      0,
      'sends nothing',
    );
    assert.equal(p.decision.outcome, 'send');
    assert.match(text.stdout, /^decision now: send\n {2}e-mail channel: active\n/m);
    assert.match(text.stdout, /^subject: {3}Hi Zoë, 42 points on 2026-12-24$/m);

    const result = await runToEnd(w, stored, c.id);
    assert.equal(outcomeOf(result, 'email').status, 'sent');
    const [sent] = acceptedFor(c.email);
    assert.ok(sent, 'the send went out');
    // The request the fake received (parsed as it arrived) and the one preview showed: the same JSON, key for key.
    assert.equal(JSON.stringify(p.sendgridRequest), JSON.stringify(sent.body));
    assert.deepEqual(p.sendgridRequest, sent.body);
    // The HTML file is the body's bytes, as are the parts preview prints.
    assert.ok(readFileSync(file).equals(Buffer.from(htmlOf(sent.body), 'utf8')), 'the HTML file is the sent HTML, byte for byte');
    assert.ok(readFileSync(`${file}.2`).equals(readFileSync(file)));
    assert.equal(p.message.subject, sent.body.subject);
    assert.match(p.message.html, /utm_source=campaign-runner/);
    assert.match(p.message.html, new RegExp(`${service.url}/unsubscribe/v1\\.`));
    assert.deepEqual(p.message.bcc, ['audit@shop.example.com']);
    assert.equal(p.message.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  });

  it('preview shows a skip and its inputs; --test-customer renders for test@test.com with a link that changes nothing', async () => {
    const c = await customer({ firstName: 'Kai', emailSubscribed: false }, 'pv');
    const stored = await emailCampaign({ categoryCode: 'promo' }, 'pv-camp');
    const p = await json<Preview>('preview', '--campaign', stored.campaign.id, '--action', 'email', '--customer', c.id);
    assert.equal(p.decision.outcome, 'skip');
    assert.deepEqual(p.decision.reasons, ['email_channel_unsubscribed', 'category_unsubscribed']);
    assert.equal(p.decision.inputs.emailChannel, 'inactive');
    assert.deepEqual(p.decision.inputs.category, { code: 'promo', subscribed: false, source: 'default' });

    const t = await json<Preview>('preview', '--campaign', stored.campaign.id, '--action', 'email', '--test-customer');
    assert.equal(t.message.to.email, 'test@test.com');
    assert.equal(t.message.subject, 'Hello Test');
    const page = await fetch(t.unsubscribeUrl!);
    assert.match(await page.text(), /This link came in a test e-mail\. Nothing was changed/);
  });

  it('test-send sends one marked message, touches no ledger row, report number, run or customer, and stops at the limit', async () => {
    const { db, fake } = testEnv();
    const c = await customer({ firstName: 'Ivo' }, 'ts');
    const stored = await storeDoc({
      id: uid('ts-camp'),
      name: 'Test sends',
      actions: [{ id: 'email', type: 'sendEmail', settings: RICH, children: [] }],
    });
    const id = stored.campaign.id;
    const tester = `${uid('tester')}@qa.example.org`;
    // A real run first, so that the ledger, the report and the webhook's rows have something to keep.
    assert.equal(outcomeOf(await runToEnd(w, stored, c.id), 'email').status, 'sent');
    await eventually(
      async () => (await campaignReport(db, id)).totals.delivery.delivered,
      (n) => n === 1,
    );
    const toCustomer = acceptedFor(c.email).length;
    const before = await snapshotTables(db, SEND_TABLES);
    const reportOf = async () => ({ ...(await campaignReport(db, id)), generatedAt: undefined });
    const report = await reportOf();
    const subsBefore = await db('channel_subscriptions').where({ customer_id: c.id }).select('active');

    const r = await cli('test-send', '--campaign', id, '--action', 'email', '--customer', c.id, '--to', tester);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^test send \d+: campaign .* rendered for customer /m);
    assert.match(r.stdout, /sent to an address at qa\.example\.org; SendGrid message id \S+/);
    assert.ok(!r.stdout.includes(tester), 'the address is not printed back');
    const [msg] = acceptedFor(tester);
    assert.ok(msg, 'SendGrid took it');
    assert.ok(msg.body.subject.startsWith('[TEST] Hi Ivo, '), msg.body.subject);
    assert.equal(msg.body.personalizations[0].bcc, undefined, 'no BCC copies');
    assert.equal(msg.body.custom_args.send_key, undefined, 'names no send');
    assert.match(msg.body.custom_args.test_send, /^\d+$/);
    assert.equal(acceptedFor(c.email).length, toCustomer, 'nothing to the customer');

    // Its link changes nothing, on the page and in one click.
    const link = /<(http[^>]+)>/.exec(msg.body.headers['List-Unsubscribe'])![1];
    assert.ok(htmlOf(msg.body).includes(link), 'the body carries the same test link');
    assert.match(await (await fetch(link)).text(), /a test e-mail unsubscribes nobody/);
    const post = await fetch(link, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(post.status, 200);

    // SendGrid's events for it match no send and change nothing.
    const events = await eventually(
      () => db('webhook_events').whereRaw("payload->>'test_send' = ?", [msg.body.custom_args.test_send]).select('matched', 'ledger_id'),
      (rows) => rows.length > 0,
    );
    for (const e of events) assert.deepEqual([e.matched, e.ledger_id], ['no_send', null]);
    assert.deepEqual(await snapshotTables(db, SEND_TABLES), before, 'no ledger, run, customer or delivery row changed');
    assert.deepEqual(await reportOf(), report, 'the report is as it was');
    assert.deepEqual(await db('channel_subscriptions').where({ customer_id: c.id }).select('active'), subsBefore);

    const row = await db('test_sends').where({ campaign_id: id }).first();
    assert.equal(row.to_domain, 'qa.example.org');
    assert.equal(row.rendered_for, c.id);
    assert.equal(row.status, 'sent');
    assert.ok(!JSON.stringify(row).includes(tester.split('@')[0]), 'no full address in the row');

    // The hour's limit: the sends already made count, and the next one past it is refused before SendGrid hears of it.
    const more = TEST_SENDS_PER_HOUR - 2;
    await db('test_sends').insert(
      Array.from({ length: more }, () => ({
        campaign_id: id,
        campaign_version: 1,
        action_id: 'email',
        to_domain: 'qa.example.org',
        status: 'sent',
      })),
    );
    const last = await cli('test-send', '--campaign', id, '--action', 'email', '--test-customer', '--to', tester);
    assert.equal(last.code, 0, last.stderr);
    const sentBefore = fake.accepted().length;
    const refused = await cli('test-send', '--campaign', id, '--action', 'email', '--test-customer', '--to', tester);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^error: --campaign: campaign "[^"]+" made 20 test sends in the last hour, the most it may \(20 an hour\); the next is possible at \S+Z\n$/,
    );
    assert.equal(fake.accepted().length, sentBefore, 'nothing sent');
    assert.equal(
      await db('test_sends')
        .where({ campaign_id: id })
        .count({ n: '*' })
        .first()
        .then((x) => Number(x!.n)),
      TEST_SENDS_PER_HOUR,
    );
  });

  it('why: a sent, a skipped, a failed and a pre-change run', async () => {
    const { db } = testEnv();
    const stored = await storeDoc({
      id: uid('why-camp'),
      name: 'Why',
      actions: [
        {
          id: 'email',
          type: 'sendEmail',
          settings: emailSettings({ categoryCode: 'news', html: '<a href="{{ customer.attributes.link }}">x</a>' }),
          children: [{ id: 'tag', type: 'setTag', settings: { tag: 'why' }, children: [] }],
        },
      ],
    });
    const id = stored.campaign.id;
    const sent = await customer({ attributes: { link: 'https://shop.example.com/a' } }, 'why');
    const skipped = await customer({ emailSubscribed: false, emailQualityCode: 32 }, 'why');
    const failed = await customer({ attributes: { link: 'javascript:alert(1)' } }, 'why');
    const pre = await customer({ attributes: { link: 'https://shop.example.com/b' } }, 'why');
    for (const c of [sent, skipped, failed, pre]) await runToEnd(w, stored, c.id);
    await db('send_ledger').where({ campaign_id: id, customer_id: pre.id }).update({ decision_inputs: null });

    // Sent: the inputs, one attempt, and SendGrid's events as the webhook stored them.
    await eventually(
      async () => (await json<Why>('why', '--campaign', id, '--customer', sent.id)).actions[0].send?.events.length ?? 0,
      (n) => n > 0,
    );
    const s = await json<Why>('why', '--campaign', id, '--customer', sent.id);
    assert.equal(s.run.status, 'COMPLETED');
    assert.match(s.run.webUrl, /\/namespaces\/[^/]+\/workflows\/campaign-run%3A.*\/history$/);
    const email = s.actions.find((a) => a.actionId === 'email')!;
    assert.equal(email.send!.status, 'sent');
    assert.equal(email.send!.attempts, 1);
    assert.ok(email.send!.decidedAt);
    assert.deepEqual(email.send!.inputs, {
      v: 1,
      customerFound: true,
      customerUpdatedAt: email.send!.inputs!.customerUpdatedAt,
      emailChannel: 'active',
      address: { present: true, valid: true, failed: [], qualityCode: 0 },
      category: { code: 'news', subscribed: true, source: 'default' },
      outcome: 'send',
      reasons: [],
    });
    assert.ok(
      email.send!.events.some((e) => e.event === 'delivered'),
      JSON.stringify(email.send!.events),
    );
    assert.equal(s.actions.find((a) => a.actionId === 'tag')!.outcome?.status, 'done');
    const text = await cli('why', '--campaign', id, '--customer', sent.id);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^email \(Send e-mail\): sent \(message \S+\)$/m);
    assert.match(
      text.stdout,
      /^ {2}rule inputs \(decision: send\):\n {4}e-mail channel: active\n {4}address: present, valid; quality code 0 \(no errors\)$/m,
    );
    assert.match(text.stdout, /^ {4}\S+ delivered/m);
    assert.match(text.stdout, /^tag \(Set tag\): done$/m);

    // Skipped: every reason, and what each rule saw.
    const k = (await json<Why>('why', '--campaign', id, '--customer', skipped.id)).actions;
    assert.equal(k[0].send!.status, 'skipped');
    assert.deepEqual(k[0].send!.inputs!.reasons, ['email_channel_unsubscribed', 'email_invalid']);
    assert.deepEqual(k[0].send!.inputs!.address, { present: true, valid: false, failed: ['quality_code'], qualityCode: 32 });
    assert.equal(k[0].send!.inputs!.emailChannel, 'inactive');
    assert.equal(k[1].outcome?.status, 'not_run');
    const kText = await cli('why', '--campaign', id, '--customer', skipped.id);
    assert.match(kText.stdout, /address: present, invalid \(fails: quality code\); quality code 32 \(address does not exist, hard\)/);

    // Failed: the rules said send; the template did not render for this customer.
    const f = (await json<Why>('why', '--campaign', id, '--customer', failed.id)).actions[0];
    assert.equal(f.send!.status, 'failed');
    assert.equal(f.send!.failureReason, 'template');
    assert.equal(f.send!.inputs!.outcome, 'send');
    assert.equal(f.outcome?.status, 'failed');
    assert.match((await cli('why', '--campaign', id, '--customer', failed.id)).stdout, /^email \(Send e-mail\): failed \(template\): /m);

    // preview of the same customer: the template error, naming the action and the template, in one line.
    const pf = await cli('preview', '--campaign', id, '--action', 'email', '--customer', failed.id);
    assert.equal(pf.code, 1);
    assert.match(
      pf.stderr,
      /^error: --action: action "email": the html template renders link 1 with a scheme other than http, https, mailto or tel\n$/,
    );

    // Decided before the inputs were kept: what the row has, and says so.
    const p = await cli('why', '--campaign', id, '--customer', pre.id);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^email \(Send e-mail\): sent/m);
    assert.match(p.stdout, /^ {2}rule inputs: not recorded \(decided before they were kept\)$/m);

    // No address in anything why prints.
    for (const c of [sent, skipped, failed, pre]) {
      const out =
        (await cli('why', '--campaign', id, '--customer', c.id)).stdout +
        (await cli('why', '--campaign', id, '--customer', c.id, '--json')).stdout;
      assert.ok(!out.includes(c.email), `no address in why's output for ${c.id}`);
    }
  });
});
