// What goes to SendGrid and how SendGrid's answers are handled, end to end.
import assert from 'node:assert/strict';
import { getEntry } from '../../src/db/ledger';
import { campaignRunWorkflowId } from '../../src/contract';
import { startCampaignRun } from '../../src/runs/start';
import { testEnv } from '../support/env';
import {
  acceptedFor,
  eventually,
  importLines,
  outcomeOf,
  runToEnd,
  startRun,
  startWorker,
  tagsOf,
  uid,
  useWorker,
} from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';

/** What the fake answered to every request for this recipient, in order. */
function requestsTo(email: string) {
  return testEnv()
    .fake.requests()
    .filter((q: any) => q.body?.personalizations?.[0]?.to?.[0]?.email === email);
}

function htmlOf(body: any): string {
  return body.content.find((c: any) => c.type === 'text/html').value;
}

describe('sending through SendGrid (end to end)', function () {
  const w = useWorker();

  it('sends one message with from, reply-to, subject, text before html, category and a send_key in custom_args', async () => {
    const { id, email } = await customer({ firstName: 'Ann', lastName: 'Lee' });
    const stored = await emailCampaign({
      replyTo: { email: 'care@shop.example.com' },
      text: 'Hi {{ customer.firstName }}',
      categoryCode: 'news',
    });
    const r = await runToEnd(w, stored, id);
    const [msg] = acceptedFor(email);
    assert.equal(outcomeOf(r, 'email').status, 'sent');
    assert.deepEqual(outcomeOf(r, 'email'), { status: 'sent', messageId: msg.messageId });
    assert.deepEqual(msg.body.personalizations[0].to, [{ email, name: 'Ann Lee' }]);
    assert.deepEqual(msg.body.from, { email: 'news@shop.example.com', name: 'Example Shop' });
    assert.deepEqual(msg.body.reply_to, { email: 'care@shop.example.com' });
    assert.equal(msg.body.subject, 'Hello Ann');
    assert.deepEqual(
      msg.body.content.map((c: any) => c.type),
      ['text/plain', 'text/html'],
    );
    assert.deepEqual(msg.body.categories, ['news']);
    assert.equal(msg.body.custom_args.send_key, `${campaignRunWorkflowId(stored.campaign.id, id)}/email`);
  });

  it('BCC addresses get the same message; a BCC equal to the recipient is dropped', async () => {
    const { id, email } = await customer();
    const stored = await emailCampaign({ bcc: ['audit@shop.example.com', `${id.toUpperCase()}@EXAMPLE.COM`] });
    const r = await runToEnd(w, stored, id);
    assert.equal(outcomeOf(r, 'email').status, 'sent');
    const [msg] = acceptedFor(email);
    assert.deepEqual(msg.body.personalizations[0].bcc, [{ email: 'audit@shop.example.com' }]);
    const ledger = await testEnv()
      .db('send_ledger')
      .where({ run_key: campaignRunWorkflowId(stored.campaign.id, id) })
      .first();
    assert.equal(ledger.bcc_count, 1);
  });

  it('adds UTM parameters to every http(s) link and escapes customer data in HTML (not in the subject)', async () => {
    const { id, email } = await customer({ firstName: '<b>Ann</b> & "Bo"' });
    const html =
      '<p>Hi {{ customer.firstName }}</p><a href="https://shop.example.com/a">a</a> <a href=\'http://shop.example.com/b?x=1&amp;y=2\'>b</a>' +
      '<a href="mailto:care@shop.example.com">mail</a>';
    const stored = await emailCampaign({
      subject: 'For {{ customer.firstName }}',
      html,
      utm: { source: 'crm', medium: 'email', campaign: 'spring' },
    });
    await runToEnd(w, stored, id);
    const [msg] = acceptedFor(email);
    const out = htmlOf(msg.body);
    assert.match(out, /Hi &lt;b&gt;Ann&lt;\/b&gt; &amp; &#34;Bo&#34;|Hi &lt;b&gt;Ann&lt;\/b&gt; &amp; &quot;Bo&quot;/);
    assert.doesNotMatch(out, /<b>Ann<\/b>/);
    assert.equal(msg.body.subject, 'For <b>Ann</b> & "Bo"');
    assert.match(out, /href="https:\/\/shop\.example\.com\/a\?utm_source=crm&amp;utm_medium=email&amp;utm_campaign=spring"/);
    assert.match(out, /href='http:\/\/shop\.example\.com\/b\?x=1&amp;y=2&amp;utm_source=crm&amp;utm_medium=email&amp;utm_campaign=spring'/);
    assert.match(out, /href="mailto:care@shop\.example\.com"/);
  });

  it('starting the same (campaign, customer) twice enrols once', async () => {
    const { id, email } = await customer();
    const stored = await emailCampaign();
    const env = testEnv();
    const args = { client: env.client, taskQueue: w.taskQueue, campaign: stored.campaign, campaignVersion: stored.version, customerId: id };
    const first = await startCampaignRun(args);
    const second = await startCampaignRun(args);
    assert.equal(first.started, true);
    assert.equal(second.started, false);
    await env.client.workflow.getHandle(first.workflowId).result();
    const third = await startCampaignRun(args);
    assert.equal(third.started, false);
    assert.equal(acceptedFor(email).length, 1);
  });

  it('an activity retried after SendGrid accepted the message does not send again', async () => {
    const { id, email } = await customer();
    // SendGrid takes the message at once but answers only after 4 s; Temporal gives each attempt 1.5 s, so attempt 2
    // starts while attempt 1 still waits for its answer. Attempt 2 must wait for it, not send a second copy.
    testEnv().fake.injectFault({ kind: 'accept-then-slow', to: email, delayMs: 4000 });
    const stored = await emailCampaign();
    const r = await runToEnd(w, stored, id, { sendAttemptTimeoutMs: 1500, maxRetryIntervalMs: 1000 });
    const accepted = acceptedFor(email);
    assert.equal(accepted.length, 1);
    assert.deepEqual(outcomeOf(r, 'email'), { status: 'sent', messageId: accepted[0].messageId });
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'done' });
    const entry = await getEntry(testEnv().db, { runKey: campaignRunWorkflowId(stored.campaign.id, id), actionId: 'email' });
    assert.equal(entry?.status, 'sent');
    const history = await testEnv().client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, id)).fetchHistory();
    const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes && true);
    const sendAttempt = started.map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
    assert.ok(Math.max(...sendAttempt) >= 2, `expected a retried attempt, saw attempts ${sendAttempt}`);
  });

  it('429 waits until X-RateLimit-Reset, then sends once', async () => {
    const { id, email } = await customer();
    testEnv().fake.injectFault({ kind: '429', to: email, resetInSeconds: 2 });
    const stored = await emailCampaign();
    const t0 = Date.now();
    const r = await runToEnd(w, stored, id);
    assert.equal(outcomeOf(r, 'email').status, 'sent');
    assert.equal(acceptedFor(email).length, 1);
    assert.deepEqual(
      requestsTo(email).map((q) => q.status),
      [429, 202],
    );
    assert.ok(Date.now() - t0 >= 1000, 'the retry waited for the rate-limit window');
  });

  it("5xx answers carrying SendGrid's own error body are retried until SendGrid takes the message", async () => {
    // (A lost answer — a gateway's 5xx, a timeout, a dropped connection — may follow an accepted message: see
    // sendGuarantees.test.ts.)
    const { id, email } = await customer();
    testEnv().fake.injectFault({ kind: '503', to: email });
    testEnv().fake.injectFault({ kind: '500', to: email });
    const stored = await emailCampaign();
    const r = await runToEnd(w, stored, id, { maxRetryIntervalMs: 1000 });
    assert.equal(outcomeOf(r, 'email').status, 'sent');
    assert.equal(acceptedFor(email).length, 1);
  });

  it("a 400 fails the action with SendGrid's messages, and its children do not run", async () => {
    // The subject renders empty for this customer, and SendGrid refuses a message without a subject.
    const { id } = await customer({ attributes: {} });
    const stored = await emailCampaign({ subject: '{{ customer.attributes.headline }}' });
    const r = await runToEnd(w, stored, id);
    const email = outcomeOf(r, 'email');
    assert.equal(email.status, 'failed');
    assert.match(
      (email as { error: string }).error,
      /^SendGrid rejected the message \(400\): subject: The subject of your email must be a string at least one character in length\.$/,
    );
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'not_run' });
    assert.deepEqual(await tagsOf(id), []);
    assert.equal(acceptedFor(`${id}@example.com`).length, 0);
    const entry = await getEntry(testEnv().db, { runKey: campaignRunWorkflowId(stored.campaign.id, id), actionId: 'email' });
    assert.equal(entry?.status, 'failed');
  });

  it('an internationalised address is sent, its domain in the xn-- form', async () => {
    const id = uid('c');
    await importLines([{ id, email: `${id}@почта.рф`, emailSubscribed: true }]);
    const stored = await emailCampaign();
    const r = await runToEnd(w, stored, id);
    const [msg] = acceptedFor(`${id}@xn--80a1acny.xn--p1ai`);
    assert.deepEqual(outcomeOf(r, 'email'), { status: 'sent', messageId: msg?.messageId });
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'done' });
  });

  it('a javascript: link from customer data fails the action without retrying, naming the action and not the value', async () => {
    const secret = 'javascript:alert("ann-secret-4242")';
    const { id } = await customer({ attributes: { site: secret } });
    const html = '<p>Hi</p><a href="{{ customer.attributes.site }}">your site</a>';
    const stored = await emailCampaign({ html });
    const r = await runToEnd(w, stored, id);
    const email = outcomeOf(r, 'email') as { status: string; error: string };
    assert.equal(email.status, 'failed');
    assert.equal(email.error, 'action email: the html template renders link 1 with a scheme other than http, https, mailto or tel');
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'not_run' });
    assert.deepEqual(await tagsOf(id), []);
    const env = testEnv();
    assert.equal(env.fake.requests().filter((q: any) => q.body?.personalizations?.[0]?.to?.[0]?.email === `${id}@example.com`).length, 0);
    const entry = await getEntry(env.db, { runKey: campaignRunWorkflowId(stored.campaign.id, id), actionId: 'email' });
    assert.equal(entry?.status, 'failed');
    assert.equal(entry?.attempts, 1, 'not retried');
    assert.equal(entry?.error, email.error);
    // The customer's value is nowhere in the run's history (failure messages, stack traces, results).
    const history = await env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, id)).fetchHistory();
    const text = JSON.stringify(history, (_k, v) =>
      v?.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('utf8') : v,
    );
    assert.ok(text.includes('"action email: the html template'), 'the failure is in the history');
    assert.ok(!text.includes('ann-secret-4242'), 'the history quotes the customer value');
  });

  it('the eligibility check uses the customer as they are when the e-mail goes out, not when the run started', async () => {
    const { id, email } = await customer();
    const to = email;
    const stored = await emailCampaign();
    // Every attempt meets a 503 until the customer unsubscribes, so the run can only end through the re-read customer
    // (were eligibility fixed at the start, it would send once the faults ran out, about 30 s later).
    const env = testEnv();
    env.fake.injectFault({ kind: '503', to, times: 30 });
    const run = await startRun(w, stored, id, { maxRetryIntervalMs: 1000 });
    const answered503 = () => requestsTo(to).some((q) => q.status === 503);
    await eventually(async () => answered503(), Boolean, 60_000);
    assert.ok(answered503(), 'the first attempt met the 503 while the customer was still subscribed');
    await env.db('channel_subscriptions').where({ customer_id: id, channel: 'email' }).update({ active: false });
    const r = await run.result();
    assert.deepEqual(outcomeOf(r, 'email'), { status: 'skipped', reasons: ['email_channel_unsubscribed'] });
    assert.equal(acceptedFor(to).length, 0);
    assert.ok(requestsTo(to).length >= 1);
    assert.deepEqual(new Set(requestsTo(to).map((q) => q.status)), new Set([503]), 'SendGrid only ever answered 503');
  });

  it('401 keeps retrying (an operator fixes the key) and sends nothing meanwhile', async () => {
    const bad = await startWorker({ apiKey: 'SG.revoked-key' });
    try {
      const { id, email } = await customer();
      const stored = await emailCampaign();
      const env = testEnv();
      const handle = await startRun(bad, stored, id, { maxRetryIntervalMs: 1000 });
      const key = { runKey: handle.workflowId, actionId: 'email' };
      const entry = await eventually(
        () => getEntry(env.db, key),
        (e) => (e?.attempts ?? 0) >= 3,
        60_000,
      );
      assert.ok(entry && entry.attempts >= 3, `expected at least 3 attempts, got ${entry?.attempts}`);
      assert.equal(entry.status, 'sending');
      assert.match(
        entry.error ?? '',
        /SendGrid refused our credentials \(401\): The provided authorization grant is invalid, expired, or revoked/,
      );
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      assert.equal(acceptedFor(email).length, 0);
      await handle.terminate('test over');
    } finally {
      await bad.stop();
    }
  });
});
