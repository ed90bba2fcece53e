// The sendEmail activity's claim loop (at most one send per run and action), in a mock activity context against the test
// Postgres, with a stub mailer: no Temporal server, no SendGrid. The other attempt of each scenario is played by the
// test itself through the ledger's own statements.
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSendEmail } from '../../src/actions/sendEmail/activitySend';
import { CampaignCache } from '../../src/activities/campaignCache';
import { campaignRunWorkflowId, type ActionActivityInput } from '../../src/contract';
import { getEntry, markSent, type LedgerMeta } from '../../src/db/ledger';
import { claimForSend } from '../../src/db/sendState';
import { SendGridUnavailableError, type Mailer, type OutgoingEmail } from '../../src/email/mailer';
import { testEnv } from '../support/env';
import { eventually, importLines, uid } from '../support/harness';
import { emailSettings, emailThenTag, storeDoc } from '../support/campaigns';

const LEASE_MS = 60_000;

/** A mailer that records what it was asked to send and answers with a fresh message id. */
function stubMailer(): Mailer & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    async send(msg) {
      sent.push(msg);
      return { messageId: `stub-${sent.length}` };
    },
  };
}

describe('sendEmail activity: the send claim (mock activity context)', function () {
  let stored: Awaited<ReturnType<typeof storeDoc>>;
  let resending: Awaited<ReturnType<typeof storeDoc>>;
  before(async () => {
    stored = await storeDoc(emailThenTag(uid('act'), emailSettings()));
    resending = await storeDoc({ ...(emailThenTag(uid('act'), emailSettings()) as object), unknownDelivery: 'resend' });
  });

  async function setUp(opts: { customerExists?: boolean; resend?: boolean } = {}) {
    const campaign = opts.resend ? resending : stored;
    const customerId = uid('c');
    if (opts.customerExists !== false) {
      await importLines([{ id: customerId, email: `${customerId}@example.com`, emailSubscribed: true, firstName: 'Ann' }]);
    }
    const input: ActionActivityInput = {
      runKey: campaignRunWorkflowId(campaign.campaign.id, customerId),
      campaignId: campaign.campaign.id,
      campaignVersion: campaign.version,
      actionId: 'email',
      customerId,
    };
    const mailer = stubMailer();
    const { db } = testEnv();
    const sendEmail = createSendEmail({ db, mailer, campaigns: new CampaignCache(db), leaseMs: LEASE_MS });
    // One environment per attempt: its context (and cancellation) is shared by everything run in it.
    // A real attempt's info: scheduled now, with a day's message lifetime (the mock's default ended in 1970).
    const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), scheduleToCloseTimeoutMs: 24 * 3600_000 });
    let heartbeats = 0;
    env.on('heartbeat', () => heartbeats++);
    const meta: LedgerMeta = { ...input, workflowRunId: env.context.info.workflowExecution?.runId ?? '' };
    /** Runs the activity without waiting; stop() cancels it if still running, so a failed assertion leaves no poller. */
    const inBackground = () => {
      let settled = false;
      const result = env.run(sendEmail, input).finally(() => (settled = true));
      return {
        result,
        settled: () => settled,
        async stop() {
          if (settled) return;
          env.cancel();
          await result.catch(() => undefined);
        },
      };
    };
    return { input, meta, mailer, env, sendEmail, inBackground, heartbeats: () => heartbeats };
  }

  it('a fresh claim sends once and records sent; a later attempt returns the recorded result', async () => {
    const t = await setUp();
    const r = await t.env.run(t.sendEmail, t.input);
    assert.deepEqual(r, { status: 'sent', messageId: 'stub-1' });
    assert.equal(t.mailer.sent.length, 1);
    assert.equal(t.mailer.sent[0].to.email, `${t.input.customerId}@example.com`);
    assert.equal(t.mailer.sent[0].customArgs.send_key, `${t.input.runKey}/email`);
    const entry = await getEntry(testEnv().db, t.meta);
    assert.deepEqual(
      { status: entry?.status, id: entry?.providerMessageId, attempts: entry?.attempts, lease: entry?.leaseActive },
      { status: 'sent', id: 'stub-1', attempts: 1, lease: false },
    );

    const again = await new MockActivityEnvironment().run(t.sendEmail, t.input);
    assert.deepEqual(again, { status: 'sent', messageId: 'stub-1' });
    assert.equal(t.mailer.sent.length, 1, 'no second send');
  });

  it('while another attempt holds the lease it heartbeats and waits, then returns that attempt’s result without sending', async () => {
    const t = await setUp();
    const { db } = testEnv();
    // The other attempt: it claimed the send and is still waiting for SendGrid.
    const other = await claimForSend(db, t.meta, LEASE_MS, undefined);
    assert.ok(other.claimed, 'the other attempt owns the send');

    const running = t.inBackground();
    try {
      // The fact: this attempt is in its wait loop (it heartbeats on every look), and has not sent.
      const beats = await eventually(
        async () => t.heartbeats(),
        (n) => n >= 2 || running.settled(),
        60_000,
      );
      assert.ok(beats >= 2, `the waiting attempt heartbeats (saw ${beats})`);
      assert.equal(t.mailer.sent.length, 0);
      await markSent(db, other.claimed.id, 'other-attempt-msg', 0);
      assert.deepEqual(await running.result, { status: 'sent', messageId: 'other-attempt-msg' });
    } finally {
      await running.stop();
    }
    assert.equal(t.mailer.sent.length, 0, 'no second send');
    const entry = await getEntry(db, t.meta);
    assert.deepEqual({ status: entry?.status, attempts: entry?.attempts }, { status: 'sent', attempts: 1 });
  });

  it('once the other attempt’s lease runs out, the message may have left with it: the default (hold) fails delivery_unknown and sends nothing', async () => {
    const t = await setUp();
    const { db } = testEnv();
    const other = await claimForSend(db, t.meta, LEASE_MS, undefined);
    assert.ok(other.claimed);
    await db('send_ledger')
      .where({ id: other.claimed.id })
      .update({ lease_until: db.raw("now() - interval '1 second'") });
    await assert.rejects(t.env.run(t.sendEmail, t.input), /delivery_unknown/);
    assert.equal(t.mailer.sent.length, 0);
    const entry = await getEntry(db, t.meta);
    assert.deepEqual({ status: entry?.status, reason: entry?.failureReason }, { status: 'failed', reason: 'delivery_unknown' });
  });

  it('a campaign that resends takes the send over once the other lease runs out and sends exactly once, marked possible_duplicate', async () => {
    const t = await setUp({ resend: true });
    const { db } = testEnv();
    const other = await claimForSend(db, t.meta, LEASE_MS, undefined);
    assert.ok(other.claimed);

    const running = t.inBackground();
    try {
      const beats = await eventually(
        async () => t.heartbeats(),
        (n) => n >= 1 || running.settled(),
        60_000,
      );
      assert.ok(beats >= 1, 'the attempt waits for the lease');
      assert.equal(t.mailer.sent.length, 0, 'no send while the other attempt owns the lease');
      // The other attempt's time is up (the database clock decides): end its lease.
      await db('send_ledger')
        .where({ id: other.claimed.id })
        .update({ lease_until: db.raw("now() - interval '1 second'") });
      assert.deepEqual(await running.result, { status: 'sent', messageId: 'stub-1' });
    } finally {
      await running.stop();
    }
    assert.equal(t.mailer.sent.length, 1);
    const entry = await getEntry(db, t.meta);
    assert.deepEqual(
      { status: entry?.status, id: entry?.providerMessageId, attempts: entry?.attempts, dup: entry?.possibleDuplicate },
      { status: 'sent', id: 'stub-1', attempts: 2, dup: true },
    );
    // The late attempt's answer can no longer overwrite the result, but SendGrid took a second message: a duplicate.
    assert.equal(await markSent(db, other.claimed.id, 'late-msg', 0), false);
    const after = await db('send_ledger').where({ id: other.claimed.id }).first('provider_message_id', 'duplicate_confirmed');
    assert.deepEqual(after, { provider_message_id: 'stub-1', duplicate_confirmed: true });
  });

  describe("runs that wait for SendGrid's word (awaitWord)", () => {
    it('once the other attempt’s lease runs out, the attempt answers unknown, sends nothing, and the row waits for the word', async () => {
      for (const resend of [false, true]) {
        const t = await setUp({ resend });
        const { db } = testEnv();
        const other = await claimForSend(db, t.meta, LEASE_MS, undefined);
        await db('send_ledger')
          .where({ id: other.claimed!.id })
          .update({ lease_until: db.raw("now() - interval '1 second'") });
        const r = await t.env.run(t.sendEmail, { ...t.input, awaitWord: true as const });
        assert.deepEqual(r, { status: 'unknown', waitMs: 15 * 60_000, policy: resend ? 'resend' : 'hold' });
        assert.equal(t.mailer.sent.length, 0);
        assert.equal((await getEntry(db, t.meta))?.status, 'unknown');
        // Another attempt of the same call (no word yet) finds the row waiting and answers the same.
        assert.deepEqual(await new MockActivityEnvironment().run(t.sendEmail, { ...t.input, awaitWord: true as const }), r);
        assert.equal(t.mailer.sent.length, 0);
      }
    });

    it('after silence, resendUnknown takes the unknown row over and sends once, marked possible_duplicate', async () => {
      const t = await setUp({ resend: true });
      const { db } = testEnv();
      const other = await claimForSend(db, t.meta, LEASE_MS, undefined);
      await db('send_ledger').where({ id: other.claimed!.id }).update({ status: 'unknown', lease_until: null });
      const r = await t.env.run(t.sendEmail, { ...t.input, awaitWord: true as const, resendUnknown: true as const });
      assert.deepEqual(r, { status: 'sent', messageId: 'stub-1' });
      assert.equal(t.mailer.sent.length, 1);
      const entry = await getEntry(db, t.meta);
      assert.deepEqual({ status: entry?.status, dup: entry?.possibleDuplicate }, { status: 'sent', dup: true });
    });

    it('a lost answer (the mailer times out) leaves the row unknown, in flight, and answers unknown', async () => {
      const t = await setUp();
      const { db } = testEnv();
      const sendEmail = createSendEmail({
        db,
        mailer: {
          async send() {
            throw new SendGridUnavailableError('no answer from SendGrid (ECONNABORTED: timeout)', true);
          },
        },
        campaigns: new CampaignCache(db),
        leaseMs: LEASE_MS,
      });
      const r = await t.env.run(sendEmail, { ...t.input, awaitWord: true as const });
      assert.equal((r as { status: string }).status, 'unknown');
      const row = await db('send_ledger').where({ run_key: t.input.runKey }).first('status', 'in_flight', 'lease_until');
      assert.deepEqual(row, { status: 'unknown', in_flight: true, lease_until: null });
    });
  });

  it('an attempt whose accepted message finds the row already sent (an event recorded it first) answers what the row says', async () => {
    const t = await setUp();
    const { db } = testEnv();
    // The request is out when SendGrid's event for it arrives first and settles the row with the event's id.
    const sendEmail = createSendEmail({
      db,
      mailer: {
        async send() {
          const row = await db('send_ledger').where({ run_key: t.input.runKey }).first('id');
          await db('send_ledger').where({ id: row.id }).update({ status: 'sent', provider_message_id: 'from-event' });
          return { messageId: 'from-event' };
        },
      },
      campaigns: new CampaignCache(db),
      leaseMs: LEASE_MS,
    });
    assert.deepEqual(await t.env.run(sendEmail, t.input), { status: 'sent', messageId: 'from-event' });
  });

  it('an attempt whose row was closed meanwhile (lease run out) records the message SendGrid took: the row says sent', async () => {
    const t = await setUp();
    const { db } = testEnv();
    const sendEmail = createSendEmail({
      db,
      mailer: {
        async send() {
          // The workflow gave up on the send while this request was out (its lease had run out).
          await db('send_ledger')
            .where({ run_key: t.input.runKey })
            .update({ status: 'failed', failure_reason: 'lifetime_expired', lease_until: null });
          return { messageId: 'accepted-late' };
        },
      },
      campaigns: new CampaignCache(db),
      leaseMs: LEASE_MS,
    });
    assert.deepEqual(await t.env.run(sendEmail, t.input), { status: 'sent', messageId: 'accepted-late' });
    const entry = await getEntry(db, t.meta);
    assert.deepEqual({ status: entry?.status, id: entry?.providerMessageId }, { status: 'sent', id: 'accepted-late' });
  });

  it('a customer that does not exist is skipped with customer_not_found alone', async () => {
    const t = await setUp({ customerExists: false });
    const r = await t.env.run(t.sendEmail, t.input);
    assert.deepEqual(r, { status: 'skipped', reasons: ['customer_not_found'] });
    assert.equal(t.mailer.sent.length, 0);
    const entry = await getEntry(testEnv().db, t.meta);
    assert.deepEqual(
      { status: entry?.status, reasons: entry?.skipReasons, lease: entry?.leaseActive },
      { status: 'skipped', reasons: ['customer_not_found'], lease: false },
    );
  });
});
