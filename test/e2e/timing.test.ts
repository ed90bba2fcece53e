// Campaign timing end to end (real worker, Postgres, the SendGrid fake): a Wait before an e-mail and what the report
// says about it, the send window, Wait until. Durations are seconds; only lower bounds on time are asserted.
import assert from 'node:assert/strict';
import { campaignRunWorkflowId, launchProgressQuery, type CampaignRunResult } from '../../src/contract';
import { campaignReport } from '../../src/report/campaignReport';
import { startLaunch } from '../../src/runs/launch';
import { runCli } from '../support/cli';
import { testEnv } from '../support/env';
import { acceptedFor, eventually, startRun, uid, useWorker } from '../support/harness';
import { emailSettings, storeDoc, type StoredDoc } from '../support/campaigns';
import { customers } from '../support/customers';

/** "HH:MM:SS" in UTC, `offsetMs` from now. */
const utcTime = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(11, 19);

describe('campaign timing (end to end)', function () {
  const w = useWorker();

  async function startAll(stored: StoredDoc, ids: string[]) {
    const handles: Awaited<ReturnType<typeof startRun>>[] = [];
    for (const customerId of ids) handles.push(await startRun(w, stored, customerId));
    return handles;
  }

  it('Wait then Send e-mail: the e-mails go out after the wait; the report counts the Wait reached and continued', async () => {
    const ids = await customers(3, {}, 't');
    const stored = await storeDoc({
      id: uid('wait'),
      name: 'Wait then mail',
      actions: [
        {
          id: 'pause',
          type: 'wait',
          settings: { duration: { seconds: 2 } },
          children: [{ id: 'email', type: 'sendEmail', settings: emailSettings(), children: [] }],
        },
      ],
    });
    const t0 = Date.now();
    const results: CampaignRunResult[] = await Promise.all((await startAll(stored, ids)).map((h) => h.result()));
    for (const r of results)
      assert.deepEqual(
        r.actions.map((a) => [a.actionId, a.outcome.status]),
        [
          ['pause', 'done'],
          ['email', 'sent'],
        ],
      );
    for (const id of ids) {
      const [msg] = acceptedFor(`${id}@example.com`);
      assert.ok(Date.parse(msg.receivedAt) >= t0 + 2000, `${id}'s e-mail arrived before its 2 s wait was over`);
    }
    const report = await campaignReport(testEnv().db, stored.campaign.id);
    assert.deepEqual(report.flow, [
      { actionId: 'pause', type: 'wait', customersReached: 3, waiting: 0, branches: { continued: 3 }, cancelled: 0 },
    ]);
    assert.equal(report.actions[0].sent, 3);
  });

  it('the report counts customers still waiting, and those whose run was cancelled while waiting', async () => {
    const ids = await customers(2, {}, 't');
    const stored = await storeDoc({
      id: uid('long'),
      name: 'Long wait',
      actions: [
        {
          id: 'until',
          type: 'waitUntil',
          settings: { dateTime: '2099-01-01T09:00', timeZone: 'Europe/Moscow' },
          children: [{ id: 'email', type: 'sendEmail', settings: emailSettings(), children: [] }],
        },
      ],
    });
    const [a, b] = await startAll(stored, ids);
    const env = testEnv();
    const waiting = await eventually(
      () => campaignReport(env.db, stored.campaign.id),
      (r) => r.flow[0]?.waiting === 2,
      60_000,
    );
    assert.deepEqual(waiting.flow, [
      { actionId: 'until', type: 'waitUntil', customersReached: 2, waiting: 2, branches: { continued: 0 }, cancelled: 0 },
    ]);
    await a.cancel();
    await assert.rejects(a.result());
    const after = await campaignReport(env.db, stored.campaign.id);
    assert.deepEqual(after.flow[0], {
      actionId: 'until',
      type: 'waitUntil',
      customersReached: 2,
      waiting: 1,
      branches: { continued: 0 },
      cancelled: 1,
    });
    await b.terminate('test over');
  });

  it('send window (campaign level): the e-mail goes out once the window is open; its lifetime starts then; deliverImmediately ignores it', async () => {
    const [id] = await customers(1, {}, 't');
    const window = { start: utcTime(5000), end: utcTime(3600_000), timeZone: 'UTC' };
    const stored = await storeDoc({
      id: uid('window'),
      name: 'Window',
      sendWindow: window,
      actions: [
        { id: 'email', type: 'sendEmail', settings: emailSettings({ subject: 'in the window' }), children: [] },
        { id: 'now', type: 'sendEmail', settings: emailSettings({ subject: 'right away', deliverImmediately: true }), children: [] },
      ],
    });
    const opensAt = Date.parse(`${new Date(Date.now() + 5000).toISOString().slice(0, 11)}${window.start}Z`);
    const [handle] = await startAll(stored, [id]);
    const r = await handle.result();
    assert.deepEqual(
      r.actions.map((a) => a.outcome.status),
      ['sent', 'sent'],
    );
    const msgs = acceptedFor(`${id}@example.com`);
    const windowed = msgs.find((m) => m.body.subject === 'in the window')!;
    assert.ok(
      Date.parse(windowed.receivedAt) >= opensAt,
      `sent at ${windowed.receivedAt}, before the window opened at ${new Date(opensAt).toISOString()}`,
    );
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityId === 'email');
    assert.equal(scheduled.length, 1);
    // The message lifetime (the activity's schedule-to-close timeout) counts from its scheduling: after the opening.
    const at = scheduled[0].eventTime!;
    assert.ok(
      Number(at.seconds) * 1000 + Math.floor((at.nanos ?? 0) / 1e6) >= opensAt,
      'the e-mail was scheduled before the window opened',
    );
    assert.equal(events.filter((e) => e.timerStartedEventAttributes).length, 1, 'only the windowed e-mail waited');
  });

  it("a launch's flow control does not count runs that are waiting: a Wait of days does not hold the rest of the audience back", async () => {
    const ids = await customers(6, {}, 't');
    const tag = uid('waiters');
    await testEnv()
      .db('customers')
      .whereIn('external_id', ids)
      .update({ tags: [tag] });
    const stored = await storeDoc({
      id: uid('days'),
      name: 'Wait days',
      actions: [
        {
          id: 'pause',
          type: 'wait',
          settings: { duration: { days: 3 } },
          children: [{ id: 'email', type: 'sendEmail', settings: emailSettings(), children: [] }],
        },
      ],
    });
    const env = testEnv();
    // At most 2 runs open at once, one customer a page: without the rule, the third page would wait three days.
    const launch = await startLaunch({
      client: env.client,
      db: env.db,
      launchTaskQueue: w.launchTaskQueue,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'tag', tag },
      pageSize: 1,
      maxInFlight: 2,
    });
    const handle = env.client.workflow.getHandle(launch.workflowId);
    const progress = await eventually(
      () => handle.query(launchProgressQuery),
      (p) => p.done,
      90_000,
    );
    assert.equal(progress.started, 6);
    const report = await campaignReport(env.db, stored.campaign.id);
    assert.equal(report.flow[0].customersReached, 6);
    assert.equal(report.flow[0].branches.continued, 0, 'every run is still waiting');
    for (const id of ids) await env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, id)).terminate('test over');
  });

  it('the launch CLI ends once every run has finished or is waiting, and its report counts those waiting', async () => {
    const ids = await customers(3, {}, 't');
    const tag = uid('cliwait');
    await testEnv()
      .db('customers')
      .whereIn('external_id', ids)
      .update({ tags: [tag] });
    const stored = await storeDoc({
      id: uid('cliwait'),
      name: 'Wait a day',
      actions: [
        {
          id: 'pause',
          type: 'wait',
          settings: { duration: { days: 1 } },
          children: [{ id: 'email', type: 'sendEmail', settings: emailSettings(), children: [] }],
        },
      ],
    });
    // Killed after 60 s (runCli): without the rule the CLI would watch for a day.
    const r = await runCli(
      { TASK_QUEUE: w.taskQueue, LAUNCH_TASK_QUEUE: w.launchTaskQueue },
      'launch',
      '--campaign',
      stored.campaign.id,
      '--tag',
      tag,
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /finished 0 .* waiting 3/);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.flow, [
      { actionId: 'pause', type: 'wait', customersReached: 3, waiting: 3, branches: { continued: 0 }, cancelled: 0 },
    ]);
    const env = testEnv();
    for (const id of ids) await env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, id)).terminate('test over');
  });
});
