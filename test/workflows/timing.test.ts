// Wait, Wait until and the send window in the campaignRun workflow, on the real dev server and the production worker
// assembly, with the e-mail, the tag and the report's record stubbed. Durations are seconds. Each asserts what history
// recorded (timers, their summaries, markers) and lower bounds on time only: a slow machine can make a wait longer,
// never shorter.
import assert from 'node:assert/strict';
import type { HistoryAndWorkflowId, WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import {
  campaignRunWorkflowId,
  progressQuery,
  WaitingUntilKey,
  WorkflowTypes,
  type ActionActivityInput,
  type ActionNode,
  type CampaignRunInput,
  type CampaignRunWorkflow,
  type FlowRecordInput,
  type SendEmailResult,
} from '../../src/contract';
import { localActivityMarkers, patchMarkers } from '../replay/historyEvents';
import { testEnv } from '../support/env';
import { eventually, startWorker, uid, type RunningWorker, prepareRunAsGiven } from '../support/harness';

interface Calls {
  /** when each stubbed sendEmail was called, by action id */
  sent: Map<string, number>;
  flow: FlowRecordInput[];
}

const node = (id: string, type: string, children: ActionNode[] = [], extra: Partial<ActionNode> = {}): ActionNode => ({
  id,
  type,
  children,
  ...extra,
});

/** "HH:MM:SS" in UTC, `offsetMs` from now. */
function utcTime(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().slice(11, 19);
}

type Event = NonNullable<History['events']>[number];

function decode(p: { data?: Uint8Array | null } | null | undefined): unknown {
  return p?.data ? JSON.parse(Buffer.from(p.data).toString('utf8')) : undefined;
}

async function events(handle: WorkflowHandle): Promise<Event[]> {
  return (await handle.fetchHistory()).events ?? [];
}

function timers(evs: Event[]): { summary: unknown; ms: number }[] {
  return evs
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => {
      const t = e.timerStartedEventAttributes!.startToFireTimeout!;
      return { summary: decode(e.userMetadata?.summary), ms: Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) };
    });
}

/** Index of the first event matching, or -1. */
const indexOf = (evs: Event[], pick: (e: Event) => boolean) => evs.findIndex(pick);
const scheduledFor = (actionId: string) => (e: Event) => e.activityTaskScheduledEventAttributes?.activityId === actionId;

describe('campaignRun timing (stubbed activities)', function () {
  const calls = new Map<string, Calls>();
  let w: RunningWorker;

  before(async () => {
    const of = (i: ActionActivityInput) => {
      let c = calls.get(i.runKey);
      if (!c) calls.set(i.runKey, (c = { sent: new Map(), flow: [] }));
      return c;
    };
    w = await startWorker({
      activityOverrides: {
        // These runs walk trees no campaign stores: the start check takes the tree as given.
        prepareRun: prepareRunAsGiven,
        sendEmail: async (i: ActionActivityInput): Promise<SendEmailResult> => {
          of(i).sent.set(i.actionId, Date.now());
          return { status: 'sent', messageId: `msg-${i.actionId}` };
        },
        setTag: async () => ({ status: 'done' as const, applied: true }),
        recordFlow: async (i: FlowRecordInput) => void of(i).flow.push(i),
      },
    });
  });
  after(async () => w?.stop());

  async function start(actions: ActionNode[]) {
    const campaignId = uid('timing');
    const customerId = uid('c');
    const workflowId = campaignRunWorkflowId(campaignId, customerId);
    const input: CampaignRunInput = { campaignId, campaignVersion: 1, customerId, actions };
    const startedAt = Date.now();
    const handle = await testEnv().client.workflow.start<CampaignRunWorkflow>(WorkflowTypes.campaignRun, {
      taskQueue: w.taskQueue,
      workflowId,
      args: [input],
    });
    const c = () => calls.get(workflowId) ?? { sent: new Map(), flow: [] };
    return {
      handle,
      startedAt,
      calls: c,
      history: async (): Promise<HistoryAndWorkflowId> => ({ workflowId, history: await handle.fetchHistory() }),
    };
  }

  it('Wait: a durable timer of the duration, summarised "Wait 2 seconds"; the children run after it fires', async () => {
    const run = await start([node('pause', 'wait', [node('email', 'sendEmail')], { wait: { seconds: 2 } })]);
    const r = await run.handle.result();
    assert.deepEqual(
      r.actions.map((a) => [a.actionId, a.outcome.status]),
      [
        ['pause', 'done'],
        ['email', 'sent'],
      ],
    );
    const evs = await events(run.handle);
    // The duration counts from reaching the action: the timer gets what is left after the record was written.
    const [t, ...more] = timers(evs);
    assert.deepEqual(more, []);
    assert.equal(t.summary, 'Wait 2 seconds');
    assert.ok(t.ms > 0 && t.ms <= 2000, `timer of ${t.ms} ms`);
    assert.ok(
      indexOf(evs, (e) => !!e.timerFiredEventAttributes) < indexOf(evs, scheduledFor('email')),
      'the e-mail was scheduled before the timer fired',
    );
    assert.ok(run.calls().sent.get('email')! - run.startedAt >= 2000, 'the e-mail went out less than 2 s after the start');
    assert.deepEqual(
      run.calls().flow.map((f) => [f.actionId, f.actionType, f.outcome]),
      [
        ['pause', 'wait', null],
        ['pause', 'wait', 'continued'],
      ],
    );
    assert.ok(run.calls().flow[0].waitingUntil, 'the record of a waiting customer says until when');
  });

  it('while waiting: the current details and progress say so, WaitingUntil is set; a cancellation ends the run Cancelled', async () => {
    const run = await start([node('long', 'wait', [node('email', 'sendEmail')], { wait: { minutes: 10 } })]);
    const meta = await eventually(
      () => run.handle.query<{ currentDetails: string }>('__temporal_workflow_metadata'),
      (m) => /Wait 10 minutes/.test(m.currentDetails),
      60_000,
    );
    assert.match(meta.currentDetails, /^Running: wait long \(Wait 10 minutes: until \d{4}-\d\d-\d\dT[\d:.]+Z\) \(0\/2 actions finished\)$/);
    assert.deepEqual((await run.handle.query(progressQuery)).inProgress, ['long']);
    const until = (await run.handle.describe()).typedSearchAttributes.get(WaitingUntilKey);
    assert.ok(until instanceof Date && until.getTime() >= run.startedAt + 10 * 60_000 - 1000, `WaitingUntil ${String(until)}`);

    await run.handle.cancel();
    await assert.rejects(run.handle.result(), (err) => err instanceof WorkflowFailedError && /cancel/i.test(String(err.cause)));
    assert.equal(run.calls().sent.size, 0, 'the e-mail after the wait did not go out');
    assert.deepEqual(
      run.calls().flow.map((f) => f.outcome),
      [null, 'cancelled'],
    );
  });

  it('Wait until: a timer to the instant when it is ahead; at once, without a timer, when it is past', async () => {
    const at = new Date(Date.now() + 3000);
    const future = await start([
      node('later', 'waitUntil', [node('email', 'sendEmail')], {
        waitUntil: { at: at.toISOString(), dateTime: at.toISOString().slice(0, 19), timeZone: 'UTC' },
      }),
    ]);
    const past = await start([
      node('gone', 'waitUntil', [node('email', 'sendEmail')], {
        waitUntil: { at: '2020-01-01T00:00:00.000Z', dateTime: '2020-01-01T00:00', timeZone: 'UTC' },
      }),
    ]);
    for (const r of [await future.handle.result(), await past.handle.result()])
      assert.deepEqual(
        r.actions.map((a) => a.outcome.status),
        ['done', 'sent'],
      );
    const ft = timers(await events(future.handle));
    assert.equal(ft.length, 1);
    assert.equal(ft[0].summary, `Wait until ${at.toISOString().slice(0, 19)} UTC`);
    assert.ok(future.calls().sent.get('email')! >= at.getTime(), 'the e-mail went out before the instant');

    assert.deepEqual(timers(await events(past.handle)), [], 'a moment already past needs no timer');
    assert.deepEqual(
      past.calls().flow.map((f) => f.outcome),
      ['continued'],
    );
  });

  it('send window: outside it the e-mail waits (a timer, after the local activity that found the opening); eligibility comes after', async () => {
    const window = { start: utcTime(4000), end: utcTime(3600_000), timeZone: 'UTC' };
    const run = await start([node('email', 'sendEmail', [], { sendWindow: window })]);
    const r = await run.handle.result();
    assert.deepEqual(r.actions[0].outcome, { status: 'sent', messageId: 'msg-email' });
    const h = await run.history();
    // A run of today's generation takes the send-window branch under its one marker (src/workflows/versions.ts), after
    // its start check.
    assert.deepEqual(patchMarkers(h), ['run-2026-12']);
    assert.deepEqual(localActivityMarkers(h), ['prepareRun', 'sendWindowOpening']);
    const evs = await events(run.handle);
    const [t] = timers(evs);
    assert.match(
      String(t.summary),
      new RegExp(`^Send window ${window.start}-${window.end} UTC: opens \\d{4}-\\d\\d-\\d\\d ${window.start} UTC \\(\\+00:00\\)$`),
    );
    assert.ok(indexOf(evs, (e) => !!e.timerFiredEventAttributes) < indexOf(evs, scheduledFor('email')));
    // The window opened at a whole second no earlier than the start + 3 s.
    assert.ok(run.calls().sent.get('email')! >= run.startedAt + 3000, 'the e-mail went out before the window opened');
  });

  it('send window: inside it the e-mail goes at once (no timer); without one, no window local activity', async () => {
    const open = await start([
      node('email', 'sendEmail', [], { sendWindow: { start: utcTime(-3600_000), end: utcTime(3600_000), timeZone: 'UTC' } }),
    ]);
    const none = await start([node('email', 'sendEmail')]);
    await open.handle.result();
    await none.handle.result();
    assert.deepEqual(timers(await events(open.handle)), []);
    assert.deepEqual(localActivityMarkers(await open.history()), ['prepareRun', 'sendWindowOpening']);
    assert.deepEqual(patchMarkers(await none.history()), ['run-2026-12']);
    assert.deepEqual(localActivityMarkers(await none.history()), ['prepareRun']);
  });
});
