// The once-only promise under faults (docs/guarantees.md): each test provokes one fault for real (Postgres, the
// SendGrid fake over HTTP, Temporal) and counts what reached the fake.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { campaignRunWorkflowId } from '../../src/contract';
import { getEntry } from '../../src/db/ledger';
import { campaignReport } from '../../src/report/campaignReport';
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
  type RunningWorker,
} from '../support/harness';
import { emailCampaign, emailSettings, emailThenTag, storeDoc } from '../support/campaigns';
import { customer } from '../support/customers';
import { startTestService, type TestService } from '../support/service';

const ledgerOf = (campaignId: string, id: string) =>
  getEntry(testEnv().db, { runKey: campaignRunWorkflowId(campaignId, id), actionId: 'email' });
const sendKeys = (id: string) =>
  acceptedFor(`${id}@example.com`).map((m) => m.body.custom_args?.send_key ?? m.body.personalizations?.[0]?.custom_args?.send_key);

/** Fails the next `times` writes that turn this run's row from 'sending' into 'sent' (a real Postgres error). */
async function failMarkSent(runKey: string, times: number): Promise<void> {
  const db = testEnv().db;
  await db.raw(`create table if not exists test_fail_mark_sent (run_key text primary key, times int not null)`);
  await db.raw(`create sequence if not exists test_fail_mark_sent_seq`);
  await db.raw(`create or replace function test_fail_mark_sent() returns trigger language plpgsql as $$
    declare t int;
    begin
      select times into t from test_fail_mark_sent where run_key = new.run_key;
      if t is not null and old.status = 'sending' and new.status = 'sent' and nextval('test_fail_mark_sent_seq') <= t then
        raise exception 'injected fault: recording sent fails';
      end if;
      return new;
    end $$`);
  await db.raw(`drop trigger if exists test_fail_mark_sent on send_ledger`);
  await db.raw(`create trigger test_fail_mark_sent before update on send_ledger for each row execute function test_fail_mark_sent()`);
  await db.raw(`select setval('test_fail_mark_sent_seq', 1, false)`);
  await db('test_fail_mark_sent').insert({ run_key: runKey, times });
}

describe('the once-only promise under faults (end to end)', function () {
  const w = useWorker();
  after(async () => {
    await testEnv().db.raw('drop trigger if exists test_fail_mark_sent on send_ledger');
  });

  describe('recording the send fails after SendGrid answered 202', () => {
    it('a failure of the write is retried within the attempt: one message, the row sent', async () => {
      const { id } = await customer();
      const stored = await emailCampaign();
      await failMarkSent(campaignRunWorkflowId(stored.campaign.id, id), 1);
      const r = await runToEnd(w, stored, id);
      assert.equal(outcomeOf(r, 'email').status, 'sent');
      assert.equal(acceptedFor(`${id}@example.com`).length, 1);
      assert.equal((await ledgerOf(stored.campaign.id, id))?.status, 'sent');
    });

    it('when the write keeps failing, the next attempt records the accepted message from the heartbeat instead of sending again', async () => {
      const { id } = await customer();
      const stored = await emailCampaign();
      // Every try of the first attempt fails (4), and the next attempt's first try too.
      await failMarkSent(campaignRunWorkflowId(stored.campaign.id, id), 5);
      const r = await runToEnd(w, stored, id, { maxRetryIntervalMs: 1000 });
      const accepted = acceptedFor(`${id}@example.com`);
      assert.equal(accepted.length, 1, 'exactly one message for this send_key');
      assert.deepEqual(outcomeOf(r, 'email'), { status: 'sent', messageId: accepted[0].messageId });
      const row = await ledgerOf(stored.campaign.id, id);
      assert.equal(row?.status, 'sent');
      assert.equal(row?.providerMessageId, accepted[0].messageId);
      assert.deepEqual(outcomeOf(r, 'tag'), { status: 'done' });
    });
  });

  describe("SendGrid's answer is lost (maybe accepted)", () => {
    let shortTimeout: RunningWorker;
    before(async () => {
      shortTimeout = await startWorker({ timeoutMs: 1000 });
    });
    after(async () => shortTimeout?.stop());

    const cases = [
      { fault: 'accept-then-500', atFake: 1, worker: () => w },
      { fault: 'accept-then-slow', atFake: 1, worker: () => shortTimeout },
      { fault: 'drop', atFake: 0, worker: () => w },
    ] as const;
    // No webhook posts these tests' events: SendGrid stays silent, and the run waits only this long for its word.
    const silent = (policy?: 'resend') => ({
      ...(emailThenTag(uid('camp'), emailSettings()) as object),
      ...(policy ? { unknownDelivery: policy } : {}),
      unknownDeliveryWait: { seconds: 2 },
    });

    for (const c of cases) {
      it(`hold (the default), ${c.fault}, SendGrid silent: after the wait the action fails with delivery_unknown, never sent again, no children`, async () => {
        const { id } = await customer();
        testEnv().fake.injectFault({ kind: c.fault, to: `${id}@example.com`, delayMs: 3000 });
        const stored = await storeDoc(silent());
        const r = await runToEnd(c.worker(), stored, id, { maxRetryIntervalMs: 1000 });
        const email = outcomeOf(r, 'email');
        assert.equal(email.status, 'failed');
        assert.match((email as { error: string }).error, /delivery_unknown/);
        assert.deepEqual(outcomeOf(r, 'tag'), { status: 'not_run' });
        // Give a wrongly scheduled retry time to show itself.
        await new Promise((res) => setTimeout(res, 1500));
        assert.equal(acceptedFor(`${id}@example.com`).length, c.atFake);
        const row = await ledgerOf(stored.campaign.id, id);
        assert.equal(row?.status, 'failed');
        assert.equal(row?.failureReason, 'delivery_unknown');
        const history = await testEnv().client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, id)).fetchHistory();
        assert.ok(
          history.events!.some((e) => e.timerStartedEventAttributes),
          "the run waited for SendGrid's word (a timer) before it decided",
        );
      });

      it(`resend, ${c.fault}, SendGrid silent: after the wait sent again, and the ledger marks the send possible_duplicate`, async () => {
        const { id } = await customer();
        testEnv().fake.injectFault({ kind: c.fault, to: `${id}@example.com`, delayMs: 3000 });
        const stored = await storeDoc(silent('resend'));
        const r = await runToEnd(c.worker(), stored, id, { maxRetryIntervalMs: 1000 });
        assert.equal(outcomeOf(r, 'email').status, 'sent');
        assert.deepEqual(outcomeOf(r, 'tag'), { status: 'done' });
        const keys = sendKeys(id);
        assert.equal(keys.length, c.atFake + 1);
        assert.equal(new Set(keys).size, 1, 'every copy carries the same send_key');
        const row = await ledgerOf(stored.campaign.id, id);
        assert.equal(row?.status, 'sent');
        assert.equal(row?.possibleDuplicate, true);
        const report = await campaignReport(testEnv().db, stored.campaign.id);
        assert.equal(report.totals.possibleDuplicates, 1);
      });
    }

    it("a 5xx carrying SendGrid's own error body was not accepted: retried, one message, no possible duplicate", async () => {
      const { id } = await customer();
      testEnv().fake.injectFault({ kind: '500', to: `${id}@example.com` });
      const stored = await emailCampaign();
      const r = await runToEnd(w, stored, id, { maxRetryIntervalMs: 1000 });
      assert.equal(outcomeOf(r, 'email').status, 'sent');
      assert.equal(acceptedFor(`${id}@example.com`).length, 1);
      assert.equal((await ledgerOf(stored.campaign.id, id))?.possibleDuplicate, false);
    });

    describe("SendGrid's word settles it (the event webhook)", () => {
      let service: TestService;
      let heard: RunningWorker;
      before(async () => {
        service = await startTestService({ temporal: testEnv().client });
        heard = await startWorker({ publicUrl: service.url });
      });
      after(async () => {
        await heard?.stop();
        await service?.close();
      });

      for (const policy of ['hold', 'resend'] as const) {
        it(`${policy}, accept-then-500: the first event proves SendGrid took it: sent with that message, confirmed late, children run, nothing sent again`, async () => {
          const { id } = await customer();
          testEnv().fake.injectFault({ kind: 'accept-then-500', to: `${id}@example.com` });
          // A wait far longer than the test: only SendGrid's word can end it in time.
          const stored = await storeDoc({
            ...(emailThenTag(uid('camp'), emailSettings()) as object),
            unknownDelivery: policy,
            unknownDeliveryWait: { minutes: 30 },
          });
          const r = await runToEnd(heard, stored, id, { maxRetryIntervalMs: 1000 });
          const accepted = acceptedFor(`${id}@example.com`);
          assert.equal(accepted.length, 1, 'one message, not sent again');
          assert.deepEqual(outcomeOf(r, 'email'), { status: 'sent', messageId: accepted[0].messageId });
          assert.deepEqual(outcomeOf(r, 'tag'), { status: 'done' });
          const row = await ledgerOf(stored.campaign.id, id);
          assert.deepEqual(
            { status: row?.status, id: row?.providerMessageId, by: row?.confirmedByEvent, dup: row?.possibleDuplicate },
            { status: 'sent', id: accepted[0].messageId, by: 'processed', dup: false },
          );
          const report = await campaignReport(testEnv().db, stored.campaign.id);
          assert.deepEqual([report.totals.sent, report.totals.confirmedLate, report.totals.deliveryUnknown], [1, 1, 0]);
        });
      }
    });
  });

  describe('cancellation', () => {
    it('a run cancelled while its request is on the wire waits for the answer: SendGrid took it, so the row is sent with its id; the run ends Cancelled, no child runs', async () => {
      const { id } = await customer();
      const env = testEnv();
      env.fake.injectFault({ kind: 'slow', to: `${id}@example.com`, delayMs: 3000 });
      const stored = await emailCampaign();
      const handle = await startRun(w, stored, id);
      // The fault is consumed when the request reaches the fake: the send is now in flight.
      await eventually(
        async () => env.fake.pendingFaults().filter((f) => f.to === `${id}@example.com`).length,
        (n) => n === 0,
        30_000,
      );
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      // By the time the run says Cancelled, the answer is in: the ledger says what SendGrid did.
      const accepted = acceptedFor(`${id}@example.com`);
      assert.equal(accepted.length, 1, 'SendGrid kept the request it received');
      const row = await ledgerOf(stored.campaign.id, id);
      assert.deepEqual({ status: row?.status, id: row?.providerMessageId }, { status: 'sent', id: accepted[0].messageId });
      assert.deepEqual(await tagsOf(id), [], 'no child ran');
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(acceptedFor(`${id}@example.com`).length, 1, 'nothing more after the run closed');
    });

    it('a run cancelled while its e-mail waits between attempts ends Cancelled and its row is closed as cancelled', async () => {
      const { id } = await customer();
      const env = testEnv();
      env.fake.injectFault({ kind: '429', to: `${id}@example.com`, resetInSeconds: 30 });
      const stored = await emailCampaign();
      const handle = await startRun(w, stored, id);
      await eventually(
        () =>
          Promise.resolve(
            env.fake.requests().filter((q: any) => q.body?.personalizations?.[0]?.to?.[0]?.email === `${id}@example.com`).length,
          ),
        (n) => n === 1,
        30_000,
      );
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
      assert.equal(acceptedFor(`${id}@example.com`).length, 0);
      assert.equal((await ledgerOf(stored.campaign.id, id))?.status, 'cancelled');
      const report = await campaignReport(env.db, stored.campaign.id);
      assert.equal(report.totals.cancelled, 1);
      assert.equal(report.totals.inProgress, 0);
    });
  });

  describe('the message lifetime runs out', () => {
    let revoked: RunningWorker;
    before(async () => {
      revoked = await startWorker({ apiKey: 'SG.revoked-key' });
    });
    after(async () => revoked?.stop());

    it('the row ends failed with lifetime_expired and the report counts it as failed, not sending', async () => {
      const { id } = await customer();
      const stored = await emailCampaign();
      const r = await runToEnd(revoked, stored, id, { messageLifetimeMs: 4000, maxRetryIntervalMs: 1000 });
      assert.deepEqual(outcomeOf(r, 'email'), { status: 'failed', error: 'message lifetime ran out (lifetime_expired)' });
      const row = await ledgerOf(stored.campaign.id, id);
      assert.equal(row?.status, 'failed');
      assert.equal(row?.failureReason, 'lifetime_expired');
      const report = await campaignReport(testEnv().db, stored.campaign.id);
      assert.equal(report.totals.failed, 1);
      assert.equal(report.totals.inProgress, 0);
    });
  });

  describe('configuration mistakes are retried, not final', () => {
    it('a wrong SENDGRID_BASE_URL (404) keeps retrying; once a worker with the right one takes over, the e-mail goes out', async () => {
      const env = testEnv();
      const queues = { taskQueue: `cfg-${randomUUID()}`, launchTaskQueue: `cfg-${randomUUID()}-l` };
      const wrong = await startWorker({ queues, roles: ['runs'], baseUrl: `${env.fake.url}/wrong-prefix` });
      let right: RunningWorker | undefined;
      try {
        const { id } = await customer();
        const stored = await emailCampaign();
        const handle = await startRun(queues, stored, id, { maxRetryIntervalMs: 1000 });
        const pending = await eventually(
          async () => (await handle.describe()).raw.pendingActivities?.[0],
          (p) => (p?.attempt ?? 0) >= 3,
          60_000,
        );
        assert.ok((pending?.attempt ?? 0) >= 3, 'still retrying after three attempts');
        assert.equal(pending?.lastFailure?.applicationFailureInfo?.type, 'SendGridMisconfigured');
        await wrong.stop();
        right = await startWorker({ queues, roles: ['runs'] });
        const r = await handle.result();
        assert.equal(outcomeOf(r, 'email').status, 'sent');
        assert.equal(acceptedFor(`${id}@example.com`).length, 1);
      } finally {
        await wrong.stop();
        await right?.stop();
      }
    });

    it('a redirect is not followed and counts as misconfiguration (retried)', async () => {
      const env = testEnv();
      const redirector = http.createServer((_req, res) => {
        res.writeHead(307, { Location: `${env.fake.url}/v3/mail/send` });
        res.end();
      });
      await new Promise<void>((res) => redirector.listen(0, '127.0.0.1', res));
      const queues = { taskQueue: `rd-${randomUUID()}`, launchTaskQueue: `rd-${randomUUID()}-l` };
      const wrong = await startWorker({
        queues,
        roles: ['runs'],
        baseUrl: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`,
      });
      try {
        const { id } = await customer();
        const stored = await emailCampaign();
        const handle = await startRun(queues, stored, id, { maxRetryIntervalMs: 1000 });
        const pending = await eventually(
          async () => (await handle.describe()).raw.pendingActivities?.[0],
          (p) => (p?.attempt ?? 0) >= 2,
          60_000,
        );
        assert.equal(pending?.lastFailure?.applicationFailureInfo?.type, 'SendGridMisconfigured');
        assert.equal(acceptedFor(`${id}@example.com`).length, 0);
        await handle.terminate('test over');
      } finally {
        await wrong.stop();
        redirector.close();
      }
    });

    it('after a 400, a reset of the run can send again (the row was never accepted)', async () => {
      const env = testEnv();
      const { id } = await customer({ attributes: {} });
      // The subject renders empty for this customer, and SendGrid refuses a message without a subject.
      const stored = await emailCampaign({ subject: '{{ customer.attributes.headline }}' });
      const first = await runToEnd(w, stored, id);
      assert.equal(outcomeOf(first, 'email').status, 'failed');
      await importLines([{ id, email: `${id}@example.com`, emailSubscribed: true, attributes: { headline: 'Hello again' } }]);
      const workflowId = campaignRunWorkflowId(stored.campaign.id, id);
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      const firstTaskDone = history.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
      const { runId } = await env.client.workflowService.resetWorkflowExecution({
        namespace: env.namespace,
        workflowExecution: { workflowId },
        workflowTaskFinishEventId: firstTaskDone.eventId,
        requestId: randomUUID(),
        reason: 'test: the cause of the 400 was fixed',
      });
      const r = await env.client.workflow.getHandle(workflowId, runId!).result();
      assert.equal(outcomeOf(r, 'email').status, 'sent');
      assert.equal(acceptedFor(`${id}@example.com`).length, 1);
      assert.equal((await ledgerOf(stored.campaign.id, id))?.status, 'sent');
    });

    it('a worker whose SENDGRID_BASE_URL is not loopback refuses to start without SENDGRID_API_KEY', async () => {
      const env = testEnv();
      const worker = path.resolve(__dirname, '..', '..', 'src', 'worker.js');
      const { SENDGRID_API_KEY: _drop, ...rest } = process.env;
      const run = promisify(execFile);
      const err = await run(process.execPath, [worker], {
        env: {
          ...rest,
          TEMPORAL_ADDRESS: env.temporalAddress,
          DATABASE_URL: env.databaseUrl,
          SENDGRID_BASE_URL: 'https://mail.example.net',
        },
        timeout: 30_000,
      }).then(
        () => undefined,
        (e: { code?: number; stderr?: string }) => e,
      );
      assert.ok(err, 'the worker must not start');
      assert.equal(err.code, 1);
      assert.match(
        err.stderr ?? '',
        /^error: SENDGRID_API_KEY is required: SENDGRID_BASE_URL is "https:\/\/mail\.example\.net\/?", not a loopback address\n$/,
      );
    });
  });
});
