// Hearing back from SendGrid, end to end: the real worker sends through the fake, the fake posts signed event batches to
// the real service (fastify on a free port), which stores and applies them in Postgres. Every wait is for a fact: the
// fake has had every batch answered 2xx (so the service committed it), or a recorded answer.
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConfigError, LOOPBACK_UNSUBSCRIBE_SECRET } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { upsertCategory } from '../../src/db/categories';
import { campaignReport } from '../../src/report/campaignReport';
import { startService } from '../../src/service/app';
import type { RecipientScript } from '../../dev/sendgridFakeEvents';
import { freePort, testEnv } from '../support/env';
import { eventually, outcomeOf, runToEnd, uid, useWorker, type RunningWorker } from '../support/harness';
import { emails, emailSettings, storeDoc } from '../support/campaigns';
import { customer } from '../support/customers';
import { startTestService, useService } from '../support/service';

/**
 * Every event the fake generated for these recipients has been answered 2xx: the service committed it. A test waits for
 * its own recipients' events only, so that another test's leftovers (a batch still retried to a closed service) never
 * fail it.
 */
async function allEventsStored(...recipients: string[]): Promise<void> {
  const pending = await eventually(
    async () => testEnv().fake.webhook.pending(recipients),
    (n) => n === 0,
    30_000,
  );
  assert.equal(pending, 0, `the fake still has ${pending} events for this test's recipients that the service did not take`);
}

async function sendAndSettle(w: RunningWorker, doc: unknown, c: { id: string; email: string }, alsoTo: string[] = []) {
  const stored = await storeDoc(doc);
  const result = await runToEnd(w, stored, c.id);
  await allEventsStored(c.email, ...alsoTo);
  return { stored, result };
}

/** How many stored events still hold this address anywhere in their payload (none may: docs/hearing-back.md). */
async function payloadsHolding(address: string): Promise<number> {
  const { rows } = await testEnv().db.raw(
    'select count(*)::int as n from webhook_events where position(lower(?) in lower(payload::text)) > 0',
    [address],
  );
  return rows[0].n;
}

async function quality(customerId: string): Promise<number> {
  return (await testEnv().db('customers').where({ external_id: customerId }).first('email_quality_code')).email_quality_code;
}

async function delivery(customerId: string, actionId = 'email') {
  return testEnv()
    .db('send_delivery as d')
    .join('send_ledger as l', 'l.id', 'd.ledger_id')
    .where({ 'l.customer_id': customerId, 'l.action_id': actionId })
    .first('d.*');
}

async function nextRunOutcome(w: RunningWorker, customerId: string, over: Parameters<typeof emailSettings>[0] = {}) {
  const stored = await storeDoc(emails(uid('next'), 1, over));
  return outcomeOf(await runToEnd(w, stored, customerId), 'email-1');
}

const script = (s: RecipientScript) => testEnv().fake.webhook.script(s);

describe('SendGrid event webhook', function () {
  const service = useService();
  const w = useWorker(() => ({ publicUrl: service.url }));

  it('records processed, delivered, opens and clicks on the send (first and last time, counts)', async () => {
    const c = await customer();
    script({ to: c.email, steps: [{ event: 'delivered' }, { event: 'open' }, { event: 'open' }, { event: 'click' }] });
    await sendAndSettle(w, emails(uid('open'), 1), c);
    const d = await delivery(c.id, 'email-1');
    assert.equal(d.status, 'delivered');
    assert.ok(d.processed_at && d.delivered_at);
    assert.equal(d.open_count, 2);
    assert.equal(d.click_count, 1);
    assert.ok(d.first_opened_at < d.last_opened_at, 'the two opens are a second apart');
    assert.ok(d.first_clicked_at);
    const events = await testEnv().db('webhook_events').where({ customer_id: c.id }).select('event', 'matched', 'payload');
    assert.deepEqual(events.map((e) => e.event).sort(), ['click', 'delivered', 'open', 'open', 'processed']);
    assert.ok(events.every((e) => e.matched === 'recipient'));
    // What is kept: the event's facts, never the address, the IP or the user agent.
    assert.equal(await payloadsHolding(c.email), 0, 'no stored event keeps the address');
    assert.ok(events.every((e) => e.payload.email === '<to>' && !('ip' in e.payload) && !('useragent' in e.payload)));
    assert.ok(events.every((e) => typeof e.payload.sg_message_id === 'string' && typeof e.payload.timestamp === 'number'));
  });

  it("stores a machine open (sg_machine_open) apart: not an open, not in the report's opened, counted as machine opens", async () => {
    const [machine, both, person] = await Promise.all([customer(), customer(), customer()]);
    script({ to: machine.email, steps: [{ event: 'delivered' }, { event: 'open', machine: true }, { event: 'open', machine: true }] });
    script({ to: both.email, steps: [{ event: 'delivered' }, { event: 'open', machine: true }, { event: 'open' }] });
    script({ to: person.email, steps: [{ event: 'delivered' }, { event: 'open', machine: false }] });
    const stored = await storeDoc(emails(uid('machine'), 1));
    await Promise.all([machine, both, person].map((c) => runToEnd(w, stored, c.id)));
    await allEventsStored(machine.email, both.email, person.email);

    const m = await delivery(machine.id, 'email-1');
    assert.deepEqual([m.status, m.open_count, m.first_opened_at, m.last_opened_at, m.machine_open_count], ['delivered', 0, null, null, 2]);
    assert.ok(m.first_machine_open_at < m.last_machine_open_at, 'the two machine opens are a second apart');
    const b = await delivery(both.id, 'email-1');
    assert.deepEqual([b.open_count, b.machine_open_count], [1, 1]);
    assert.ok(b.first_opened_at > b.first_machine_open_at, "the person's open is its own time, after the machine's");
    const p = await delivery(person.id, 'email-1');
    assert.deepEqual([p.open_count, p.machine_open_count, p.first_machine_open_at], [1, 0, null]);

    const opens = await testEnv().db('webhook_events').where({ customer_id: machine.id, event: 'open' }).select('payload', 'effects');
    assert.deepEqual(
      opens.map((e) => [e.payload.sg_machine_open, e.effects]),
      [
        [true, 'machine open'],
        [true, 'machine open'],
      ],
    );
    const r = await campaignReport(testEnv().db, stored.campaign.id);
    assert.equal(r.actions[0].delivery.openedCustomers, 2, 'people who opened: both and person');
    assert.equal(r.actions[0].delivery.machineOpens, 2, 'customers with a machine open: machine and both');
    assert.equal(r.totals.delivery.machineOpens, 2);
  });

  it('a hard bounce sets the code its status maps to, and the next run is skipped as email_invalid', async () => {
    const c = await customer();
    script({ to: c.email, steps: [{ event: 'bounce', status: '5.1.1', reason: `550 5.1.1 <${c.email}>: user unknown` }] });
    await sendAndSettle(w, emails(uid('bounce'), 1), c);
    assert.equal(await quality(c.id), 32);
    const d = await delivery(c.id, 'email-1');
    assert.deepEqual([d.status, d.bounce_type, d.bounce_class, d.quality_code], ['bounced', 'bounce', 'hard', 32]);
    // The reason quoted the address; the stored event does not.
    assert.equal(await payloadsHolding(c.email), 0);
    assert.deepEqual(await nextRunOutcome(w, c.id), { status: 'skipped', reasons: ['email_invalid'] });
  });

  it('a non-existent domain gives 39; blocked by the MTA gives 35', async () => {
    const a = await customer();
    const b = await customer();
    script({ to: a.email, steps: [{ event: 'bounce', status: '5.1.2', reason: '550 5.1.2 Host unknown' }] });
    script({ to: b.email, steps: [{ event: 'bounce', status: '5.7.1', reason: '550 5.7.1 Message rejected due to local policy' }] });
    const doc = emails(uid('codes'), 1);
    const stored = await storeDoc(doc);
    await Promise.all([runToEnd(w, stored, a.id), runToEnd(w, stored, b.id)]);
    await allEventsStored(a.email, b.email);
    assert.deepEqual([await quality(a.id), await quality(b.id)], [39, 35]);
  });

  it('7 soft failures within 30 days set 34 (a send counts once, however often it was deferred)', async () => {
    const c = await customer();
    script({
      to: c.email,
      steps: [
        { event: 'deferred', times: 3 },
        { event: 'blocked', status: '4.2.2', reason: '452 4.2.2 Mailbox full' },
      ],
    });
    script({ to: c.email, steps: [{ event: 'blocked' }], times: 5 });
    await sendAndSettle(w, emails(uid('soft6'), 6), c);
    // Six sends, one of them deferred three times: six failures, not nine. The address is still sendable.
    const n = (await testEnv().db('email_soft_failures').where({ customer_id: c.id }).count({ n: '*' }))[0].n;
    assert.equal(Number(n), 6);
    assert.ok([1, 3].includes(await quality(c.id)), `a soft code, got ${await quality(c.id)}`);
    script({ to: c.email, steps: [{ event: 'blocked' }] });
    const seventh = await sendAndSettle(w, emails(uid('soft7'), 1), c);
    assert.equal(outcomeOf(seventh.result, 'email-1').status, 'sent');
    assert.equal(await quality(c.id), 34);
    assert.deepEqual(await nextRunOutcome(w, c.id), { status: 'skipped', reasons: ['email_invalid'] });
  });

  it('a delivery resets the soft counter and a soft code', async () => {
    const c = await customer();
    script({ to: c.email, steps: [{ event: 'blocked', status: '4.2.2', reason: '452 4.2.2 Mailbox full' }], times: 6 });
    await sendAndSettle(w, emails(uid('reset6'), 6), c);
    assert.equal(await quality(c.id), 3);
    await sendAndSettle(w, emails(uid('resetok'), 1), c); // delivered by default
    assert.equal(await quality(c.id), 0);
    script({ to: c.email, steps: [{ event: 'blocked' }] });
    await sendAndSettle(w, emails(uid('reset1'), 1), c);
    // Seven soft failures within 30 days, but six of them before the delivery: the counter says 1.
    assert.equal(await quality(c.id), 1);
  });

  it('a spam report sets 36 and unsubscribes the channel', async () => {
    const c = await customer();
    script({ to: c.email, steps: [{ event: 'delivered' }, { event: 'spamreport' }] });
    await sendAndSettle(w, emails(uid('spam'), 1), c);
    assert.equal(await quality(c.id), 36);
    assert.ok((await delivery(c.id, 'email-1')).spam_reported_at);
    assert.deepEqual(await nextRunOutcome(w, c.id), { status: 'skipped', reasons: ['email_channel_unsubscribed', 'email_invalid'] });
  });

  it('an unsubscribe event turns the e-mail channel off', async () => {
    const c = await customer();
    script({ to: c.email, steps: [{ event: 'delivered' }, { event: 'unsubscribe' }] });
    await sendAndSettle(w, emails(uid('unsub'), 1), c);
    assert.ok((await delivery(c.id, 'email-1')).unsubscribed_at);
    assert.deepEqual(await nextRunOutcome(w, c.id), { status: 'skipped', reasons: ['email_channel_unsubscribed'] });
  });

  it('group_unsubscribe and group_resubscribe change the category of that ASM group; its sends carry asm.group_id', async () => {
    const code = uid('grp');
    const group = 1000 + Math.floor(Math.random() * 1_000_000);
    await upsertCategory(testEnv().db, { code, name: 'Group news', visible: true, defaultEmailSubscribed: true, asmGroupId: group });
    const c = await customer();
    script({ to: c.email, steps: [{ event: 'delivered' }, { event: 'group_unsubscribe' }] });
    await sendAndSettle(w, emails(uid('group'), 1, { categoryCode: code }), c);
    const sent = testEnv()
      .fake.accepted()
      .filter((m) => m.body.personalizations[0].to[0].email === c.email);
    assert.deepEqual(sent[0].body.asm, { group_id: group });
    assert.deepEqual(await nextRunOutcome(w, c.id, { categoryCode: code }), { status: 'skipped', reasons: ['category_unsubscribed'] });

    // Resubscribing on SendGrid's preference page, from an e-mail of another category.
    script({ to: c.email, steps: [{ event: 'delivered' }, { event: 'group_resubscribe', groupId: group }] });
    await sendAndSettle(w, emails(uid('regroup'), 1), c);
    assert.equal((await nextRunOutcome(w, c.id, { categoryCode: code })).status, 'sent');
  });

  it('dropped events for an invalid or a bounced address map to 31 and 33', async () => {
    const a = await customer();
    const b = await customer();
    script({ to: a.email, steps: [{ event: 'dropped', reason: 'Invalid' }] });
    script({ to: b.email, steps: [{ event: 'dropped', reason: 'Bounced Address' }] });
    const stored = await storeDoc(emails(uid('drop'), 1));
    await Promise.all([runToEnd(w, stored, a.id), runToEnd(w, stored, b.id)]);
    await allEventsStored(a.email, b.email);
    assert.deepEqual([await quality(a.id), await quality(b.id)], [31, 33]);
    assert.equal((await delivery(a.id, 'email-1')).status, 'dropped');
  });

  it('an event for a BCC copy updates no customer and no count', async () => {
    const c = await customer();
    const bcc = `${uid('audit')}@example.com`;
    script({ to: bcc, steps: [{ event: 'bounce' }, { event: 'spamreport' }, { event: 'unsubscribe' }] });
    await sendAndSettle(w, emails(uid('bcc'), 1, { bcc: [bcc] }), c, [bcc]);
    const rows = await testEnv().db('webhook_events').where({ customer_id: c.id, matched: 'bcc' }).select('effects', 'payload');
    assert.ok(rows.length >= 4, 'the BCC copy had its events');
    assert.ok(rows.every((r) => r.effects === null && r.payload.email === '<bcc>'));
    assert.equal(await payloadsHolding(bcc), 0, 'no stored event keeps the BCC address');
    assert.equal(await quality(c.id), 0);
    const d = await delivery(c.id, 'email-1');
    assert.deepEqual([d.status, d.bounced_at, d.spam_reported_at, d.unsubscribed_at], ['delivered', null, null, null]);
    assert.equal((await nextRunOutcome(w, c.id)).status, 'sent');
  });

  it('a replayed batch, and a batch resent under new sg_event_ids, change nothing', async () => {
    const c = await customer();
    script({ to: c.email, steps: [{ event: 'delivered' }, { event: 'open' }, { event: 'click' }] });
    await sendAndSettle(w, emails(uid('replay'), 1), c);
    const before = await delivery(c.id, 'email-1');
    const count = async () => Number((await testEnv().db('webhook_events').count({ n: '*' }))[0].n);
    const stored = await count();
    const fake = testEnv().fake;
    for (const newEventIds of [false, true]) {
      const answered = fake.webhook.deliveries().length;
      assert.ok(fake.webhook.replayLast({ newEventIds }) > 0);
      const done = await eventually(
        async () => fake.webhook.deliveries().slice(answered),
        (d) => d.some((x) => x.status === 200),
      );
      assert.ok(done.some((x) => x.status === 200));
    }
    assert.equal(await count(), stored);
    const after = await delivery(c.id, 'email-1');
    assert.deepEqual([after.open_count, after.click_count], [before.open_count, before.click_count]);
  });

  for (const [signing, status] of [
    ['unsigned', 401],
    ['bad-signature', 403],
    ['stale-timestamp', 403],
  ] as const) {
    it(`a ${signing} batch gets ${status} and writes nothing; SendGrid's retry is stored once it is signed`, async () => {
      const c = await customer();
      const fake = testEnv().fake;
      fake.webhook.configure({ signing, retryBaseMs: 300, retryMaxMs: 300 });
      try {
        script({ to: c.email, steps: [{ event: 'bounce' }] });
        const from = fake.webhook.deliveries().length;
        const stored = await storeDoc(emails(uid(signing), 1));
        await runToEnd(w, stored, c.id);
        const refused = await eventually(
          async () => fake.webhook.deliveries().slice(from),
          (d) => d.length >= 2,
        );
        assert.ok(refused.length >= 2 && refused.every((d) => d.status === status), JSON.stringify(refused.map((d) => d.status)));
        assert.equal(Number((await testEnv().db('webhook_events').where({ customer_id: c.id }).count({ n: '*' }))[0].n), 0);
        assert.equal(await quality(c.id), 0);
      } finally {
        fake.webhook.configure({ signing: 'valid', retryBaseMs: 100, retryMaxMs: 5000 });
      }
      await allEventsStored(c.email);
      assert.equal(await quality(c.id), 32);
    });
  }

  it('an oversized request gets 413 and writes nothing', async () => {
    const before = Number((await testEnv().db('webhook_events').count({ n: '*' }))[0].n);
    const big = JSON.stringify([{ event: 'open', email: 'x@example.com', timestamp: 1, sg_event_id: 'big', pad: 'x'.repeat(1_100_000) }]);
    const res = await fetch(service.webhookUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Twilio-Email-Event-Webhook-Signature': 'MEUCIQ',
        'X-Twilio-Email-Event-Webhook-Timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: big,
    });
    assert.equal(res.status, 413);
    assert.equal(Number((await testEnv().db('webhook_events').count({ n: '*' }))[0].n), before);
  });

  it('answers 503 while Postgres is unreachable, and stores the batch SendGrid retries once it is back', async () => {
    const proxy = await startProxy(5432);
    const url = new URL(testEnv().databaseUrl);
    url.port = String(proxy.port);
    const db = createDb(url.toString(), { max: 2 });
    const down = await startTestService({ db, webhook: { retryBaseMs: 200, retryMaxMs: 500 } });
    try {
      assert.equal((await fetch(`${down.url}/readyz`)).status, 200);
      proxy.down();
      assert.equal((await fetch(`${down.url}/readyz`)).status, 503);
      assert.equal((await fetch(`${down.url}/healthz`)).status, 200);
      const c = await customer();
      script({ to: c.email, steps: [{ event: 'bounce' }] });
      const fake = testEnv().fake;
      const from = fake.webhook.deliveries().length;
      const stored = await storeDoc(emails(uid('pgdown'), 1));
      await runToEnd(w, stored, c.id);
      const refused = await eventually(
        async () => fake.webhook.deliveries().slice(from),
        (d) => d.length >= 2,
      );
      assert.ok(
        refused.every((d) => d.status === 503),
        JSON.stringify(refused.map((d) => d.status)),
      );
      assert.equal(await quality(c.id), 0);
      proxy.up();
      await allEventsStored(c.email);
      assert.equal(await quality(c.id), 32);
    } finally {
      await down.close();
      await db.destroy();
      await proxy.close();
      testEnv().fake.webhook.configure({ url: service.webhookUrl, retryBaseMs: 100, retryMaxMs: 5000 });
    }
  });

  it('refuses to start without a webhook key or an unsubscribe secret unless bound to loopback', async () => {
    const base = { port: await freePort(), publicUrl: undefined, webhookMaxBytes: 1000, webhookMaxAgeSeconds: 600 };
    const unsubscribe = { secret: LOOPBACK_UNSUBSCRIBE_SECRET, mailto: undefined };
    await assert.rejects(
      startService({ service: { ...base, host: '0.0.0.0', webhookPublicKey: undefined }, unsubscribe }, testEnv().db),
      (e: Error) => e instanceof ConfigError && /SENDGRID_WEBHOOK_PUBLIC_KEY is required/.test(e.message),
    );
    await assert.rejects(
      startService(
        {
          service: { ...base, host: '0.0.0.0', publicUrl: 'https://mail.example.com', webhookPublicKey: testEnv().fake.webhook.publicKey },
          unsubscribe: { secret: undefined, mailto: undefined },
        },
        testEnv().db,
      ),
      (e: Error) => e instanceof ConfigError && /UNSUBSCRIBE_SECRET is required/.test(e.message),
    );
    await assert.rejects(
      startService({ service: { ...base, host: '127.0.0.1', webhookPublicKey: 'not a key' }, unsubscribe }, testEnv().db),
      (e: Error) => e instanceof ConfigError && /SENDGRID_WEBHOOK_PUBLIC_KEY is not valid/.test(e.message),
    );
    // On loopback without a key it starts, and its webhook takes nothing.
    const local = await startService({ service: { ...base, host: '127.0.0.1', webhookPublicKey: undefined }, unsubscribe }, testEnv().db, {
      log: () => undefined,
    });
    try {
      const res = await fetch(`${local.url}/sendgrid/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '[]',
      });
      assert.equal(res.status, 503);
    } finally {
      await local.close();
    }
  });

  it('the report counts delivered, bounced (hard, soft), dropped, opened, clicked, unsubscribed and spam reports; BCC copies never', async () => {
    const bcc = `${uid('audit')}@example.com`;
    const cs = await Promise.all(Array.from({ length: 7 }, () => customer()));
    const scripts: RecipientScript['steps'][] = [
      [{ event: 'delivered' }, { event: 'open' }, { event: 'open' }, { event: 'click' }],
      [{ event: 'delivered' }, { event: 'open' }],
      [{ event: 'bounce' }],
      [{ event: 'blocked' }],
      [{ event: 'dropped', reason: 'Invalid' }],
      [{ event: 'delivered' }, { event: 'spamreport' }],
      [{ event: 'delivered' }, { event: 'unsubscribe' }],
    ];
    cs.forEach((c, i) => script({ to: c.email, steps: scripts[i] }));
    script({ to: bcc, steps: [{ event: 'delivered' }, { event: 'open' }, { event: 'click' }, { event: 'spamreport' }], times: 7 });
    const stored = await storeDoc(emails(uid('report'), 1, { bcc: [bcc] }));
    await Promise.all(cs.map((c) => runToEnd(w, stored, c.id)));
    await allEventsStored(...cs.map((c) => c.email), bcc);
    const r = await campaignReport(testEnv().db, stored.campaign.id);
    const expected = {
      delivered: 4,
      bounced: { total: 2, hard: 1, soft: 1 },
      dropped: 1,
      openedCustomers: 2,
      machineOpens: 0,
      clickedCustomers: 1,
      unsubscribed: 1,
      spamReports: 1,
    };
    assert.deepEqual(r.actions[0].delivery, expected);
    assert.deepEqual(r.totals.delivery, expected);
  });
});

/** A TCP proxy in front of Postgres that can be taken down (every connection cut, new ones refused) and back up. */
async function startProxy(target: number): Promise<{ port: number; down(): void; up(): void; close(): Promise<void> }> {
  let open = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    down() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    up() {
      open = true;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
