// Part of recordHistories.ts: the shapes of a Send e-mail that SendGrid, the operator or the clock interrupts. Each one is
// provoked as test/e2e/sendGuarantees.test.ts provokes it, waits for the fact (never for a guessed time), and is checked
// before it is saved: a history that does not show its shape is refused rather than committed under the wrong name.
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { campaignRunWorkflowId, type ActionOutcome, type CampaignRunResult, type RunOptions } from '../src/contract';
import type { Campaign } from '../src/campaigns/types';
import { getEntry } from '../src/db/ledger';
import { startCampaignRun } from '../src/runs/start';
import { testEnv } from '../test/support/env';
import { acceptedFor, eventually, importLines, runToEnd, startWorker, type RunningWorker } from '../test/support/harness';
import { emailSettings, storeDoc } from '../test/support/campaigns';

type Stored = { campaign: Campaign; version: number };
type Save = (kind: string, name: string, workflowId: string) => Promise<void>;
/** The recorder's campaign tree: Send e-mail with two child tags, and a sibling root tag (every run consults Set tag). */
type Tree = (id: string, settings?: Parameters<typeof emailSettings>[0]) => object;

const EMAIL = 'welcome-email';

function expect(name: string, ok: boolean, what: string): void {
  if (!ok) throw new Error(`${name}: the run did not take its shape (${what}); nothing saved`);
}

function emailOutcome(r: CampaignRunResult): ActionOutcome | undefined {
  return r.actions.find((a) => a.actionId === EMAIL)?.outcome;
}

const errorOf = (o: ActionOutcome | undefined) => (o?.status === 'failed' ? o.error : '');

/**
 * Starts a run, waits until `ready` says the send is where the shape needs it, cancels the run and waits for Cancelled.
 * `sent`: the request was on the wire, so the cancellation waited for SendGrid's answer and the row says sent.
 */
async function cancelWhen(name: string, w: RunningWorker, stored: Stored, customerId: string, ready: () => Promise<boolean>, sent = false) {
  const env = testEnv();
  const started = await startCampaignRun({
    client: env.client,
    taskQueue: w.taskQueue,
    campaign: stored.campaign,
    campaignVersion: stored.version,
    customerId,
  });
  expect(name, await eventually(ready, Boolean, 60_000), 'the send never got there');
  const handle = env.client.workflow.getHandle(started.workflowId);
  await handle.cancel();
  const ended = await handle.result().then(
    () => 'completed',
    (err: unknown) => (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure ? 'cancelled' : String(err)),
  );
  expect(name, ended === 'cancelled', `ended ${ended}`);
  const row = await getEntry(env.db, { runKey: started.workflowId, actionId: EMAIL });
  expect(name, row?.status === (sent ? 'sent' : 'cancelled'), `ledger row ${row?.status}`);
  expect(name, acceptedFor(`${customerId}@example.com`).length === (sent ? 1 : 0), 'the fake took what it should not');
  return started.workflowId;
}

export async function recordSendGuaranteeRuns(w: RunningWorker, tree: Tree, save: Save): Promise<void> {
  const env = testEnv();
  const ids = ['r-cancel-wire', 'r-cancel-wait', 'r-lifetime', 'r-held', 'r-resent', 'r-template', 'r-misconfigured'];
  await importLines(
    ids.map((id) => ({
      id,
      email: `${id}@example.com`,
      emailSubscribed: true,
      categories: { news: true },
      // A link the template renders from customer data; this customer's has a scheme we never send.
      ...(id === 'r-template' ? { attributes: { site: 'javascript:alert(1)' } } : {}),
    })),
  );
  // No webhook posts these runs' events: a lost answer meets SendGrid's silence, and the run waits 2 s for its word.
  const main = await storeDoc({ ...tree('replay-guarantees'), unknownDeliveryWait: { seconds: 2 } });
  const resend = await storeDoc({ ...tree('replay-resend'), unknownDelivery: 'resend', unknownDeliveryWait: { seconds: 2 } });
  const linked = await storeDoc(
    tree('replay-template', {
      html: '<p>Hi</p><a href="https://shop.example.com/">Shop</a> <a href="{{ customer.attributes.site }}">Site</a>',
    }),
  );
  const fast: RunOptions = { maxRetryIntervalMs: 1000 };
  const finished = async (stored: Stored, customerId: string, o?: RunOptions, worker = w) => ({
    r: await runToEnd(worker, stored, customerId, o),
    workflowId: campaignRunWorkflowId(stored.campaign.id, customerId),
  });

  // Cancelled while the request is on the wire: the fake holds the request longer than a heartbeat takes to carry the
  // cancellation; the attempt waits for SendGrid's answer (a request that reached SendGrid is SendGrid's), records the
  // send sent, and the run ends Cancelled.
  {
    const name = 'cancelled-on-the-wire';
    const patient = await startWorker({ timeoutMs: 120_000 });
    try {
      env.fake.injectFault({ kind: 'slow', to: 'r-cancel-wire@example.com', delayMs: 3_000 });
      const consumed = async () => env.fake.pendingFaults().every((f) => f.to !== 'r-cancel-wire@example.com');
      await save('campaignRun', name, await cancelWhen(name, patient, main, 'r-cancel-wire', consumed, true));
    } finally {
      await patient.stop();
    }
  }

  // Cancelled while the e-mail waits between attempts: a 429 whose reset is a minute away; the second attempt is
  // scheduled (attempt 2, the 429 as its last failure) when the run is cancelled.
  {
    const name = 'cancelled-between-attempts';
    env.fake.injectFault({ kind: '429', to: 'r-cancel-wait@example.com', resetInSeconds: 60 });
    const workflowId = campaignRunWorkflowId(main.campaign.id, 'r-cancel-wait');
    const waiting = async () => {
      const p = (await env.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities?.[0];
      return (p?.attempt ?? 0) >= 2 && p?.lastFailure?.applicationFailureInfo?.type === 'SendGridRateLimited';
    };
    await save('campaignRun', name, await cancelWhen(name, w, main, 'r-cancel-wait', waiting));
  }

  // The message lifetime runs out: SendGrid refuses the key on every attempt until the lifetime (4 s) ends.
  {
    const name = 'lifetime-expired';
    const revoked = await startWorker({ apiKey: 'SG.revoked-key' });
    try {
      const { r, workflowId } = await finished(main, 'r-lifetime', { messageLifetimeMs: 4000, ...fast }, revoked);
      expect(name, errorOf(emailOutcome(r)) === 'message lifetime ran out (lifetime_expired)', JSON.stringify(emailOutcome(r)));
      await save('campaignRun', name, workflowId);
    } finally {
      await revoked.stop();
    }
  }

  // SendGrid took the message but its answer was lost (a gateway's 500), and SendGrid says nothing within the wait:
  // held as delivery_unknown (the default).
  {
    const name = 'failed-delivery_unknown';
    env.fake.injectFault({ kind: 'accept-then-500', to: 'r-held@example.com' });
    const { r, workflowId } = await finished(main, 'r-held', fast);
    expect(name, /delivery_unknown/.test(errorOf(emailOutcome(r))), JSON.stringify(emailOutcome(r)));
    await save('campaignRun', name, workflowId);
  }

  // The same lost answer and silence under unknownDelivery 'resend': sent again, the ledger marks it possible_duplicate.
  {
    const name = 'resent-possible_duplicate';
    env.fake.injectFault({ kind: 'accept-then-500', to: 'r-resent@example.com' });
    const { r, workflowId } = await finished(resend, 'r-resent', fast);
    const row = await getEntry(env.db, { runKey: workflowId, actionId: EMAIL });
    expect(
      name,
      emailOutcome(r)?.status === 'sent' && row?.possibleDuplicate === true,
      `${emailOutcome(r)?.status}, ${row?.possibleDuplicate}`,
    );
    await save('campaignRun', name, workflowId);
  }

  // The template renders a javascript: link from this customer's attribute: failed for good, nothing sent.
  {
    const name = 'failed-template-render';
    const { r, workflowId } = await finished(linked, 'r-template');
    expect(name, /scheme other than/.test(errorOf(emailOutcome(r))), JSON.stringify(emailOutcome(r)));
    await save('campaignRun', name, workflowId);
  }

  // A wrong SENDGRID_BASE_URL (404): retried until a worker with the right one takes over, then sent.
  {
    const name = 'misconfigured-then-fixed';
    const queues = { taskQueue: `record-${randomUUID()}`, launchTaskQueue: `record-${randomUUID()}-l` };
    const wrong = await startWorker({ queues, roles: ['runs'], baseUrl: `${env.fake.url}/wrong-prefix` });
    let right: RunningWorker | undefined;
    try {
      const started = await startCampaignRun({
        client: env.client,
        taskQueue: queues.taskQueue,
        campaign: main.campaign,
        campaignVersion: main.version,
        customerId: 'r-misconfigured',
        options: fast,
      });
      const handle = env.client.workflow.getHandle(started.workflowId);
      const retried = await eventually(
        async () => {
          const p = (await handle.describe()).raw.pendingActivities?.[0];
          return (p?.attempt ?? 0) >= 3 && p?.lastFailure?.applicationFailureInfo?.type === 'SendGridMisconfigured';
        },
        Boolean,
        60_000,
      );
      expect(name, retried, 'no third attempt after a SendGridMisconfigured failure');
      await wrong.stop();
      right = await startWorker({ queues, roles: ['runs'] });
      const r = await handle.result();
      expect(name, emailOutcome(r)?.status === 'sent', JSON.stringify(emailOutcome(r)));
      await save('campaignRun', name, started.workflowId);
    } finally {
      await wrong.stop();
      await right?.stop();
    }
  }
}
