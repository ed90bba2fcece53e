// Check e-mail status end to end: a real worker and Temporal server, Postgres, the SendGrid fake posting signed events
// to the real HTTP service, which stores them and signals the waiting runs. Each status from the events the fake was
// scripted to send, the early end on a click, and a click whose signal is lost while the Temporal server restarts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { campaignRunWorkflowId, EmailStatusKey, type CampaignRunResult } from '../../src/contract';
import type { ScriptStep } from '../../dev/sendgridFakeEvents';
import { startDevServer, type DevServer } from '../../dev/temporalServer';
import { campaignReport } from '../../src/report/campaignReport';
import { startCampaignRun } from '../../src/runs/start';
import { assembleWorkers } from '../../src/temporal/worker';
import { freePort, testConfig, testEnv } from '../support/env';
import { eventually, startRun, tagsOf, uid, useWorker } from '../support/harness';
import { emailSettings, storeDoc } from '../support/campaigns';
import { customer } from '../support/customers';
import { startTestService, useService } from '../support/service';

const tag = (id: string) => ({ id, type: 'setTag', settings: { tag: id }, children: [] });

/** Send e-mail -> Check e-mail status (waitUpTo seconds) -> bonus (clicked) / remind (delivered or opened) / sms (undelivered). */
function campaign(id: string, waitSeconds: number, over: { machineOpens?: 'excluded' | 'counted' } = {}) {
  return {
    id,
    name: `Check ${id}`,
    ...over,
    actions: [
      {
        id: 'mail',
        type: 'sendEmail',
        settings: emailSettings(),
        children: [
          {
            id: 'check',
            type: 'checkEmailStatus',
            settings: {
              emailActionId: 'mail',
              waitUpTo: { seconds: waitSeconds },
              branches: { bonus: ['clicked'], remind: ['delivered_not_opened', 'opened_not_clicked'], sms: ['undelivered'] },
            },
            children: [tag('bonus'), tag('remind'), tag('sms')],
          },
        ],
      },
    ],
  };
}

/** A customer whose mailbox answers the next message with `steps` (the fake's script); returns the id. */
async function scripted(steps: ScriptStep[] | null): Promise<string> {
  const { id, email } = await customer({}, 'chk');
  if (steps) testEnv().fake.webhook.script({ to: email, steps });
  return id;
}

const checkOutcome = (r: CampaignRunResult) => r.actions.find((a) => a.actionId === 'check')!.outcome;
const signals = async (h: WorkflowHandle) =>
  ((await h.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'emailEvent').length;
const signalled = async (h: WorkflowHandle) => (await signals(h)) > 0;

describe('Check e-mail status (end to end: worker, server, Postgres, fake, service)', function () {
  const service = useService(() => ({ temporal: testEnv().client }));
  const w = useWorker(() => ({ publicUrl: service.url }));

  it('each status from the events stored by the deadline: delivered, opened, bounced, deferred only; the report counts each branch', async function () {
    this.timeout(90_000);
    const stored = await storeDoc(campaign(uid('chk-deadline'), 6));
    const cases = [
      { steps: [{ event: 'delivered' }], status: 'delivered_not_opened', child: 'remind' },
      { steps: [{ event: 'delivered' }, { event: 'open' }], status: 'opened_not_clicked', child: 'remind' },
      { steps: [{ event: 'bounce' }], status: 'undelivered', child: 'sms' },
      { steps: [{ event: 'deferred', times: 2 }], status: 'undelivered', child: 'sms' },
    ] as const;
    const runs = await Promise.all(
      cases.map(async (c) => {
        const id = await scripted([...c.steps] as ScriptStep[]);
        return { ...c, id, handle: await startRun(w, stored, id) };
      }),
    );
    for (const r of runs) {
      const result = await r.handle.result();
      assert.deepEqual(checkOutcome(result), { status: 'done', emailStatus: r.status }, `customer with ${JSON.stringify(r.steps)}`);
      assert.deepEqual(await tagsOf(r.id), [r.child]);
      const desc = await r.handle.describe();
      assert.deepEqual(desc.typedSearchAttributes.get(EmailStatusKey), [r.status]);
    }
    const report = await campaignReport(testEnv().db, stored.campaign.id);
    const flow = report.flow.find((f) => f.actionId === 'check')!;
    assert.equal(flow.customersReached, 4);
    assert.equal(flow.waiting, 0);
    assert.deepEqual(flow.branches, { undelivered: 2, delivered_not_opened: 1, opened_not_clicked: 1, clicked: 0, email_not_sent: 0 });
  });

  it("a machine open (Apple Mail's proxy) is not opened by default: delivered_not_opened; opened_not_clicked with machineOpens counted", async function () {
    this.timeout(90_000);
    const excluded = await storeDoc(campaign(uid('chk-machine'), 4));
    const counted = await storeDoc(campaign(uid('chk-machine'), 4, { machineOpens: 'counted' }));
    const steps: ScriptStep[] = [{ event: 'delivered' }, { event: 'open', machine: true }];
    const runs = await Promise.all(
      [
        { stored: excluded, status: 'delivered_not_opened' },
        { stored: counted, status: 'opened_not_clicked' },
      ].map(async (c) => {
        const id = await scripted(steps);
        return { ...c, id, handle: await startRun(w, c.stored, id) };
      }),
    );
    for (const r of runs) {
      const result = await r.handle.result();
      assert.deepEqual(checkOutcome(result), { status: 'done', emailStatus: r.status }, `machineOpens ${r.stored.campaign.machineOpens}`);
      assert.deepEqual(await tagsOf(r.id), ['remind']);
      const opens = await testEnv().db('webhook_events').where({ customer_id: r.id, event: 'open' }).select('payload');
      assert.deepEqual(
        opens.map((e) => e.payload.sg_machine_open),
        [true],
        'the machine open was stored before the decision',
      );
    }
  });

  it('a click ends a 60 s wait within seconds: the service stored the event and signalled the run', async function () {
    this.timeout(90_000);
    const stored = await storeDoc(campaign(uid('chk-click'), 60));
    const id = await scripted([{ event: 'delivered' }, { event: 'later', ms: 3000 }, { event: 'open' }, { event: 'click' }]);
    const started = Date.now();
    const handle = await startRun(w, stored, id);
    const result = await handle.result();
    assert.deepEqual(checkOutcome(result), { status: 'done', emailStatus: 'clicked' });
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.deepEqual(await tagsOf(id), ['bonus']);
    assert.ok(await signalled(handle), 'the run was signalled');
    // The wait had begun before the click (the click came 3 s after the delivery).
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(events.some((e) => e.timerCanceledEventAttributes));
  });

  it('a run whose e-mail nobody checks is not signalled for its events', async function () {
    const stored = await storeDoc({
      id: uid('chk-none'),
      name: 'No check',
      actions: [{ id: 'mail', type: 'sendEmail', settings: emailSettings(), children: [] }],
    });
    const id = await scripted([{ event: 'delivered' }, { event: 'open' }, { event: 'click' }]);
    const handle = await startRun(w, stored, id);
    await handle.result();
    await eventually(
      async () => (await testEnv().db('webhook_events').where({ customer_id: id, event: 'click' })).length,
      (n) => n === 1,
    );
    assert.equal(await signalled(handle), false);
  });
});

describe('Check e-mail status: a click whose signal is lost while the Temporal server restarts', function () {
  let dir: string;
  let server: DevServer | undefined;
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('decides clicked at the deadline: the read there is the truth', async function () {
    this.timeout(180_000);
    const env = testEnv();
    dir = mkdtempSync(path.join(os.tmpdir(), 'cr-check-restart-'));
    const port = await freePort();
    const serverOptions = { port, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') };
    server = await startDevServer(serverOptions);
    const native = await NativeConnection.connect({ address: server.address });
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: env.namespace });
    const taskQueue = uid('restart');
    const config = { ...testConfig({ taskQueue, launchTaskQueue: `${taskQueue}-launches` }), temporalAddress: server.address };
    const workers = await assembleWorkers({ config, db: env.db, connection: native, roles: ['runs'], workflowBundle: env.workflowBundle });
    const running = workers.run();
    // The service gives a signal up after 2 s (10 s in production), so that it is lost for good while the server is down.
    const service = await startTestService({ temporal: client, signalTimeoutMs: 2000 });
    try {
      const stored = await storeDoc(campaign(uid('chk-restart'), 25));
      const id = await scripted([{ event: 'delivered' }, { event: 'later', ms: 6000 }, { event: 'click' }]);
      const s = await startCampaignRun({ client, taskQueue, campaign: stored.campaign, campaignVersion: stored.version, customerId: id });
      assert.equal(s.workflowId, campaignRunWorkflowId(stored.campaign.id, id));
      // The check waits (its report row says so); then the server goes away before the click comes.
      const waiting = await eventually(
        async () => env.db('flow_log').where({ run_key: s.workflowId, action_id: 'check' }).first(),
        (row) => row !== undefined,
        30_000,
      );
      assert.equal(waiting?.outcome, null);
      const handle = client.workflow.getHandle(s.workflowId);
      // The report row is written inside the workflow task that starts the deadline timer, and the delivery's signal may
      // come just after it and wake the run: wait until the server has the timer, the delivery's signal has come and no
      // workflow task is pending, or a stop before that task completes makes the retried task read the status after the
      // restart, when the click is there (the decision is then right, but no longer the deadline's).
      const idleOnTimer = await eventually(
        async () => {
          const events = (await handle.fetchHistory()).events ?? [];
          const lastCompleted = events.map((e) => Boolean(e.workflowTaskCompletedEventAttributes)).lastIndexOf(true);
          const pending = events
            .slice(lastCompleted + 1)
            .some((e) => e.workflowTaskScheduledEventAttributes || e.workflowExecutionSignaledEventAttributes);
          const signalled = events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'emailEvent');
          return events.some((e) => e.timerStartedEventAttributes) && signalled && lastCompleted >= 0 && !pending;
        },
        (ok) => ok,
        30_000,
      );
      assert.ok(idleOnTimer, 'before the server went away: the deadline timer started, the delivery signalled, no task pending');
      // The delivery's signal: it changed nothing.
      const before = await signals(handle);
      await server.stop();
      const click = await eventually(
        async () => (await env.db('webhook_events').where({ customer_id: id, event: 'click' })).length,
        (n) => n === 1,
        30_000,
      );
      assert.equal(click, 1, 'the service stored the click while Temporal was down');
      const notTold = await eventually(
        async () => service.logs.filter((l) => l.includes('not told')).length,
        (n) => n > 0,
        30_000,
      );
      assert.equal(notTold, 1, `the service gave the signal up: ${service.logs.join('\n')}`);
      server = await startDevServer(serverOptions);
      const result = await handle.result();
      assert.deepEqual(checkOutcome(result), { status: 'done', emailStatus: 'clicked' });
      assert.deepEqual(await tagsOf(id), ['bonus']);
      assert.equal(await signals(handle), before, 'the signal of the click never reached the run');
      const events = (await handle.fetchHistory()).events ?? [];
      assert.ok(
        events.some((e) => e.timerFiredEventAttributes),
        'the deadline decided',
      );
    } finally {
      await service.close();
      await workers.shutdown();
      await running.catch(() => undefined);
      await native.close();
      await connection.close();
    }
  });
});
