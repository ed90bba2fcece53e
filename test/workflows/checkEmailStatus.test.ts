// Check e-mail status in the campaignRun workflow, on the real dev server and the production worker assembly, with the
// e-mail, the tag, the report's record and the status read stubbed: each branch, the decision at once, the early end on
// a signal, a signal that changes nothing, the deadline, an e-mail that was not sent, and a cancellation while waiting.
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import {
  campaignRunWorkflowId,
  emailEventSignal,
  EmailStatusKey,
  progressQuery,
  WaitingUntilKey,
  WorkflowTypes,
  type ActionNode,
  type CampaignRunInput,
  type CampaignRunWorkflow,
  type EmailCheck,
  type EmailStatusQuery,
  type EmailStatusReading,
  type FlowRecordInput,
} from '../../src/contract';
import { testEnv } from '../support/env';
import { eventually, startWorker, uid, type RunningWorker, prepareRunAsGiven } from '../support/harness';

const tag = (id: string): ActionNode => ({ id, type: 'setTag', children: [] });
const BRANCHES: EmailCheck['branches'] = {
  bonus: ['clicked'],
  remind: ['delivered_not_opened', 'opened_not_clicked'],
  sms: ['undelivered'],
};

function tree(waitUpTo?: EmailCheck['waitUpTo']): ActionNode[] {
  const check: ActionNode = {
    id: 'check',
    type: 'checkEmailStatus',
    children: [tag('bonus'), tag('remind'), tag('sms')],
    emailCheck: { emailActionId: 'mail', ...(waitUpTo ? { waitUpTo } : {}), branches: BRANCHES },
  };
  return [{ id: 'mail', type: 'sendEmail', children: [check] }];
}

describe('campaignRun: Check e-mail status (stubbed activities)', function () {
  /** what the stubbed read answers, per run key */
  const status = new Map<string, EmailStatusReading>();
  const reads = new Map<string, number>();
  const flow = new Map<string, FlowRecordInput[]>();
  let w: RunningWorker;

  before(async () => {
    w = await startWorker({
      activityOverrides: {
        // These runs walk trees no campaign stores: the start check takes the tree as given.
        prepareRun: prepareRunAsGiven,
        sendEmail: async () => ({ status: 'sent' as const, messageId: 'm' }),
        setTag: async () => ({ status: 'done' as const, applied: true }),
        recordFlow: async (i: FlowRecordInput) => void flow.set(i.runKey, [...(flow.get(i.runKey) ?? []), i]),
        emailStatus: async (q: EmailStatusQuery): Promise<EmailStatusReading> => {
          reads.set(q.runKey, (reads.get(q.runKey) ?? 0) + 1);
          return status.get(q.runKey) ?? { sent: true, status: 'undelivered' };
        },
      } as Record<string, (...a: never[]) => Promise<unknown>>,
    });
  });
  after(async () => w?.stop());

  async function start(actions: ActionNode[], first: EmailStatusReading) {
    const campaignId = uid('check');
    const customerId = uid('c');
    const workflowId = campaignRunWorkflowId(campaignId, customerId);
    status.set(workflowId, first);
    const input: CampaignRunInput = { campaignId, campaignVersion: 1, customerId, actions };
    const handle = await testEnv().client.workflow.start<CampaignRunWorkflow>(WorkflowTypes.campaignRun, {
      taskQueue: w.taskQueue,
      workflowId,
      args: [input],
    });
    return { handle, workflowId, startedAt: Date.now() };
  }

  const ran = (r: Awaited<ReturnType<typeof runResult>>) => r.actions.filter((a) => a.outcome.status !== 'not_run').map((a) => a.actionId);
  const runResult = (h: { handle: { result(): Promise<import('../../src/contract').CampaignRunResult> } }) => h.handle.result();

  for (const [found, child] of [
    ['clicked', 'bonus'],
    ['opened_not_clicked', 'remind'],
    ['delivered_not_opened', 'remind'],
    ['undelivered', 'sms'],
  ] as const) {
    it(`without waitUpTo decides at once: ${found} runs ${child} only, and says so in the result and EmailStatus`, async () => {
      const run = await start(tree(), { sent: true, status: found });
      const r = await runResult(run);
      assert.deepEqual(r.actions.find((a) => a.actionId === 'check')!.outcome, { status: 'done', emailStatus: found });
      assert.deepEqual(ran(r), ['mail', 'check', child]);
      const desc = await run.handle.describe();
      assert.deepEqual(desc.typedSearchAttributes.get(EmailStatusKey), [found]);
      assert.equal(reads.get(run.workflowId), 1);
      assert.deepEqual(
        flow.get(run.workflowId)!.map((f) => f.outcome),
        [found],
      );
    });
  }

  it('with waitUpTo, a signal after a click ends the wait at once', async () => {
    const run = await start(tree({ seconds: 60 }), { sent: true, status: 'delivered_not_opened' });
    // Waiting: the progress query and the report's record say so.
    await eventually(
      () => run.handle.query(progressQuery),
      (p) => p.inProgress.includes('check'),
    );
    await eventually(
      async () => flow.get(run.workflowId) ?? [],
      (f) => f.length === 1,
    );
    status.set(run.workflowId, { sent: true, status: 'clicked' });
    await run.handle.signal(emailEventSignal, { actionId: 'mail' });
    const r = await runResult(run);
    assert.ok(Date.now() - run.startedAt < 30_000, 'the click ended the 60 s wait early');
    assert.deepEqual(ran(r), ['mail', 'check', 'bonus']);
    assert.deepEqual(
      flow.get(run.workflowId)!.map((f) => f.outcome),
      [null, 'clicked'],
    );
    const history = await run.handle.fetchHistory();
    const ev = history.events ?? [];
    assert.ok(
      ev.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'emailEvent'),
      'the signal is in history',
    );
    assert.ok(
      ev.some((e) => e.timerCanceledEventAttributes),
      'the deadline timer was cancelled',
    );
    // A launch's flow control counts the run again: it no longer waits for the 60 s deadline.
    const waitingUntil = (await run.handle.describe()).typedSearchAttributes.get(WaitingUntilKey);
    assert.ok(waitingUntil && waitingUntil.getTime() <= Date.now(), `WaitingUntil ${waitingUntil?.toISOString()}`);
  });

  it('a signal that changes nothing (a delivery, an open, another e-mail) reads again and keeps waiting to the deadline', async () => {
    const run = await start(tree({ seconds: 4 }), { sent: true, status: 'undelivered' });
    await eventually(
      async () => flow.get(run.workflowId) ?? [],
      (f) => f.length === 1,
    );
    status.set(run.workflowId, { sent: true, status: 'opened_not_clicked' });
    await run.handle.signal(emailEventSignal, { actionId: 'mail' });
    await run.handle.signal(emailEventSignal, { actionId: 'another-email' });
    const r = await runResult(run);
    assert.ok(Date.now() - run.startedAt >= 4000, 'decided before the deadline');
    assert.deepEqual(ran(r), ['mail', 'check', 'remind']);
    assert.equal(r.actions.find((a) => a.actionId === 'check')!.outcome.status, 'done');
    // The first read, one on the signal for 'mail', one at the deadline.
    assert.equal(reads.get(run.workflowId), 3);
  });

  it('the deadline decides on what the table says then, with no signal at all', async () => {
    const run = await start(tree({ seconds: 3 }), { sent: true, status: 'undelivered' });
    await eventually(
      async () => flow.get(run.workflowId) ?? [],
      (f) => f.length === 1,
    );
    status.set(run.workflowId, { sent: true, status: 'clicked' }); // stored while no signal reached the run
    const r = await runResult(run);
    assert.ok(Date.now() - run.startedAt >= 3000);
    assert.deepEqual(ran(r), ['mail', 'check', 'bonus']);
  });

  it('an e-mail the ledger does not show as sent: email_not_sent, no child, no wait', async () => {
    const run = await start(tree({ days: 3 }), { sent: false, ledgerStatus: 'skipped' });
    const r = await runResult(run);
    assert.deepEqual(r.actions.find((a) => a.actionId === 'check')!.outcome, { status: 'done', emailStatus: 'email_not_sent' });
    assert.deepEqual(ran(r), ['mail', 'check']);
  });

  it('a cancellation while waiting ends the run Cancelled, recorded as cancelled', async () => {
    const run = await start(tree({ days: 3 }), { sent: true, status: 'delivered_not_opened' });
    await eventually(
      async () => flow.get(run.workflowId) ?? [],
      (f) => f.length === 1,
    );
    await run.handle.cancel();
    await assert.rejects(run.handle.result(), (e: unknown) => e instanceof WorkflowFailedError && e.cause instanceof CancelledFailure);
    assert.deepEqual(
      flow.get(run.workflowId)!.map((f) => f.outcome),
      [null, 'cancelled'],
    );
  });
});
