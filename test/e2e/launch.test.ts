// Launching a campaign to an audience: a durable workflow that pages through Postgres and enrols each customer once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { campaignReport } from '../../src/report/campaignReport';
import { LaunchInputError, startLaunch } from '../../src/runs/launch';
import { campaignRunWorkflowId } from '../../src/contract';
import { launchProgressQuery, type CampaignRunResult } from '../../src/contract';
import { testEnv } from '../support/env';
import {
  acceptedFor,
  eventually,
  importLines,
  spawnTestWorker,
  startWorker,
  uid,
  useWorker,
  visibleCount,
  type RunningWorker,
} from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { numberedLines } from '../support/customers';

/** `n` tagged customers, some without an address, some unsubscribed from the channel or from news. */
function audience(prefix: string, n: number, tag: string) {
  return numberedLines(prefix, n, (i, id) => ({
    email: i % 7 === 3 ? null : `${id}@example.com`,
    emailSubscribed: i % 5 !== 1,
    categories: { news: i % 6 !== 2 },
    tags: [tag],
  }));
}

describe('launching a campaign to an audience', function () {
  const w = useWorker();

  it('enrols exactly the tagged customers once, across continue-as-new, and a relaunch enrols nobody again', async () => {
    const env = testEnv();
    const prefix = uid('aud');
    const tag = `t-${prefix}`;
    const members = audience(prefix, 40, tag);
    const outsider = `${prefix}-outsider`;
    await importLines([...members, { id: outsider, email: `${outsider}@example.com`, emailSubscribed: true }]);
    const stored = await emailCampaign({ categoryCode: 'news' });
    const launch = await startLaunch({
      client: env.client,
      db: env.db,
      launchTaskQueue: w.launchTaskQueue,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'tag', tag },
      pageSize: 5,
      pagesPerRun: 3,
    });
    assert.equal(launch.audienceSize, 40);
    const handle = env.client.workflow.getHandle(launch.workflowId);
    const result = await handle.result();
    assert.deepEqual(result, { cursor: members[39].id, started: 40, alreadyEnrolled: 0, pages: 8, done: true });
    const desc = await handle.describe();
    assert.notEqual(desc.runId, launch.firstRunId, 'the launcher continued as new');

    const results: CampaignRunResult[] = await Promise.all(
      members.map((m) => env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, m.id)).result()),
    );
    await assert.rejects(env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, outsider)).describe(), /not found/i);
    assert.equal(
      await visibleCount(`CampaignId="${stored.campaign.id}" AND LaunchId="${launch.launchId}" AND WorkflowType="campaignRun"`, 40),
      40,
    );

    // The report comes from the send ledger; it must agree with what the runs themselves returned.
    const report = await campaignReport(env.db, stored.campaign.id);
    const emails = results.map((r) => r.actions.find((a) => a.actionId === 'email')!.outcome);
    const sent = emails.filter((o) => o.status === 'sent').length;
    const skipped = emails.filter((o) => o.status === 'skipped') as { status: 'skipped'; reasons: string[] }[];
    assert.ok(sent > 0 && skipped.length > 0);
    assert.equal(report.actions.length, 1);
    const a = report.actions[0];
    assert.equal(a.actionId, 'email');
    assert.equal(a.customersReached, 40);
    assert.equal(a.sent, sent);
    assert.equal(a.failed, 0);
    assert.equal(a.inProgress, 0);
    assert.equal(a.skipped.total, skipped.length);
    for (const reason of [
      'email_channel_unsubscribed',
      'email_missing',
      'email_invalid',
      'category_unsubscribed',
      'customer_not_found',
    ] as const) {
      assert.equal(a.skipped.byReason[reason], skipped.filter((s) => s.reasons.includes(reason)).length, reason);
    }
    assert.equal(a.skipped.byGroup.unsubscribedFromChannel, skipped.filter((s) => s.reasons[0] === 'email_channel_unsubscribed').length);
    assert.equal(a.skipped.byGroup.addressIssue, skipped.filter((s) => ['email_missing', 'email_invalid'].includes(s.reasons[0])).length);
    assert.equal(a.skipped.byGroup.unsubscribedFromCategory, skipped.filter((s) => s.reasons[0] === 'category_unsubscribed').length);
    assert.deepEqual(report.totals, (({ actionId: _actionId, ...f }) => f)(a));
    const accepted = members.reduce((n, m) => n + acceptedFor(`${m.id}@example.com`).length, 0);
    assert.equal(accepted, sent);

    const again = await startLaunch({
      client: env.client,
      db: env.db,
      launchTaskQueue: w.launchTaskQueue,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'tag', tag },
      pageSize: 16,
    });
    const second = await env.client.workflow.getHandle(again.workflowId).result();
    assert.deepEqual({ started: second.started, alreadyEnrolled: second.alreadyEnrolled }, { started: 0, alreadyEnrolled: 40 });
    assert.equal(
      members.reduce((n, m) => n + acceptedFor(`${m.id}@example.com`).length, 0),
      sent,
    );
  });

  it('launches to a list of ids; an unknown id launches nothing', async () => {
    const env = testEnv();
    const prefix = uid('lst');
    const members = audience(prefix, 6, 'x');
    await importLines(members);
    const stored = await emailCampaign();
    const base = {
      client: env.client,
      db: env.db,
      launchTaskQueue: w.launchTaskQueue,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'list' as const },
    };
    await assert.rejects(
      startLaunch({ ...base, customerIds: [members[0].id, 'ghost-9'], launchId: `${prefix}-bad` }),
      (e: Error) => e instanceof LaunchInputError && /ghost-9/.test(e.message),
    );
    assert.equal((await env.db('launch_audience').where({ launch_id: `${prefix}-bad` })).length, 0);
    const ok = await startLaunch({ ...base, customerIds: [members[1].id, members[4].id, members[1].id] });
    const res = await env.client.workflow.getHandle(ok.workflowId).result();
    assert.equal(res.started, 2);
  });

  it('a worker killed mid-launch loses and duplicates nothing', async function () {
    const env = testEnv();
    const prefix = uid('kill');
    const n = 300;
    const members = numberedLines(prefix, n, () => ({ tags: [prefix] }));
    await importLines(members);
    const stored = await emailCampaign();
    // The launcher runs only in a worker process that we kill -9. Until then no worker serves the runs, so none of them
    // can finish: the launch fills its in-flight limit (100) and waits for room, mid-launch however slow the machine.
    const taskQueue = `test-${randomUUID()}`;
    const launchTaskQueue = `${taskQueue}-launches`;
    const { child } = await spawnTestWorker(
      { TASK_QUEUE: taskQueue, LAUNCH_TASK_QUEUE: launchTaskQueue, WORKER_ROLES: 'launches' },
      { stderr: 'ignore' },
    );
    let replacement: RunningWorker | undefined;
    try {
      const launch = await startLaunch({
        client: env.client,
        db: env.db,
        launchTaskQueue,
        campaignId: stored.campaign.id,
        campaignVersion: stored.version,
        audience: { kind: 'tag', tag: prefix },
        pageSize: 10,
        maxInFlight: 100,
      });
      const handle = env.client.workflow.getHandle(launch.workflowId);
      const atKill = await eventually(
        () => handle.query(launchProgressQuery).catch(() => undefined),
        (p) => (p?.started ?? 0) >= 100,
        60_000,
      );
      child.kill('SIGKILL');
      assert.ok(
        atKill && atKill.started >= 100 && !atKill.done && atKill.started < n,
        `the worker must die mid-launch (progress at kill: ${JSON.stringify(atKill)})`,
      );

      // One worker takes over both: the runs, and the launch (its page is retried once the heartbeat times out).
      replacement = await startWorker({ queues: { taskQueue, launchTaskQueue } });
      const result = await handle.result();
      assert.equal(result.done, true);
      assert.equal(result.started + result.alreadyEnrolled, n, JSON.stringify(result));
      assert.equal(await visibleCount(`CampaignId="${stored.campaign.id}" AND WorkflowType="campaignRun"`, n), n);
      await Promise.all(members.map((m) => env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, m.id)).result()));
      for (const m of members) assert.equal(acceptedFor(m.email).length, 1, m.id);
      const ledger = await env.db('send_ledger').where({ campaign_id: stored.campaign.id }).count({ c: '*' });
      assert.equal(Number(ledger[0].c), n);
    } finally {
      child.kill('SIGKILL');
      await replacement?.stop();
    }
  });
});
