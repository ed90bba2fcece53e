// A launch id names a launch within its campaign: two campaigns may use the same id without sharing a list, a flow
// control or a progress count, and an id already used in a campaign is refused without touching that launch's list.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LaunchInputError, launchStatus, startLaunch, type StartedLaunch, type StartLaunchArgs } from '../../src/runs/launch';
import { storeLaunchList } from '../../src/db/audience';
import { campaignRunWorkflowId, launchWorkflowId, WorkflowTypes, type LaunchCampaignWorkflow, type LaunchInput } from '../../src/contract';
import { runCli } from '../support/cli';
import { testEnv } from '../support/env';
import { eventually, startWorker, uid, useWorker, visibleCount } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customers } from '../support/customers';

/** `p`, or a failure naming what did not happen within `ms` (instead of a test that hangs until mocha's timeout). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (waited ${ms / 1000} s)`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('launch ids are scoped to their campaign', function () {
  const w = useWorker();
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cr-launch-ids-'));
  });

  function listBase(stored: { campaign: { id: string }; version: number }, launchTaskQueue: string) {
    const env = testEnv();
    return {
      client: env.client,
      db: env.db,
      launchTaskQueue,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'list' },
    } satisfies Partial<StartLaunchArgs>;
  }

  /** Every id stored under this launch id, whatever the campaign. */
  async function storedUnder(launchId: string): Promise<string[]> {
    return testEnv().db('launch_audience').where({ launch_id: launchId }).orderBy('customer_id').pluck('customer_id');
  }

  it('the same launch id in two campaigns keeps two lists, two flow controls and two progress counts', async () => {
    const env = testEnv();
    const p = uid('same');
    const first = [`${p}-a0`, `${p}-a1`, `${p}-a2`];
    const second = [`${p}-b0`, `${p}-b1`];
    await customers([...first, ...second]);
    const one = await emailCampaign();
    const two = await emailCampaign();
    const launchId = `${p}-l`;
    // Campaign one's runs go to a task queue no worker polls: they stay open, so a flow control that counted them
    // against campaign two would hold campaign two back.
    const stuck = await startWorker({
      roles: ['launches'],
      queues: { taskQueue: `idle-${randomUUID()}`, launchTaskQueue: `${p}-launches` },
    });
    try {
      const l1 = await startLaunch({ ...listBase(one, stuck.launchTaskQueue), customerIds: first, launchId });
      assert.equal((await env.client.workflow.getHandle(l1.workflowId).result()).started, 3);
      const open = `CampaignId="${one.campaign.id}" AND WorkflowType="campaignRun" AND ExecutionStatus="Running"`;
      assert.equal(await visibleCount(open, 3), 3);

      const l2 = await startLaunch({ ...listBase(two, w.launchTaskQueue), customerIds: second, launchId, maxInFlight: 3 });
      assert.equal(l2.audienceSize, 2, "campaign two's list is its own");
      const r2 = await within(
        env.client.workflow.getHandle(l2.workflowId).result(),
        60_000,
        "campaign two's launch did not finish: held back by campaign one's open runs?",
      );
      assert.deepEqual({ started: r2.started, alreadyEnrolled: r2.alreadyEnrolled }, { started: 2, alreadyEnrolled: 0 });
      assert.equal(await visibleCount(`CampaignId="${two.campaign.id}" AND WorkflowType="campaignRun"`, 2), 2);
      await assert.rejects(env.client.workflow.getHandle(campaignRunWorkflowId(two.campaign.id, first[0])).describe(), /not found/i);

      const s2 = await eventually(
        () => launchStatus(env.client, two.campaign.id, launchId, 2),
        (s) => s.finished >= 2 && s.sent >= 2,
      );
      assert.deepEqual(
        { finished: s2.finished, sent: s2.sent, skipped: s2.skipped, failed: s2.failed },
        { finished: 2, sent: 2, skipped: 0, failed: 0 },
      );
      const s1 = await launchStatus(env.client, one.campaign.id, launchId, 3);
      assert.deepEqual(
        { started: s1.progress.started, finished: s1.finished, sent: s1.sent },
        { started: 3, finished: 0, sent: 0 },
        "campaign one's progress counts only its own runs",
      );
      const listOf = (campaignId: string) =>
        env.db('launch_audience').where({ campaign_id: campaignId, launch_id: launchId }).orderBy('customer_id').pluck('customer_id');
      assert.deepEqual(await listOf(one.campaign.id), first);
      assert.deepEqual(await listOf(two.campaign.id), second);
    } finally {
      await Promise.all(
        first.map((id) =>
          env.client.workflow
            .getHandle(campaignRunWorkflowId(one.campaign.id, id))
            .terminate('test cleanup')
            .catch(() => undefined),
        ),
      );
      await stuck.stop();
    }
  });

  it('launch with an id already used in the campaign is refused in one line, while it runs and after, and its list stays', async () => {
    const env = testEnv();
    const p = uid('rerun');
    const mine = [`${p}-0`, `${p}-1`];
    const other = `${p}-other`;
    await customers([...mine, other]);
    const stored = await emailCampaign();
    const launchId = `${p}-l`;
    // Nothing runs the launch yet: it stays open while the re-run is tried.
    const queues = { taskQueue: w.taskQueue, launchTaskQueue: `idle-${randomUUID()}` };
    const launch = await startLaunch({ ...listBase(stored, queues.launchTaskQueue), customerIds: mine, launchId });
    assert.deepEqual(await storedUnder(launchId), mine);
    const otherFile = path.join(dir, `${p}.txt`);
    writeFileSync(otherFile, `${other}\n`);
    const env2 = { TASK_QUEUE: queues.taskQueue, LAUNCH_TASK_QUEUE: queues.launchTaskQueue };
    const refused = (status: string) =>
      new RegExp(
        `^error: launch ${launchId} of campaign ${stored.campaign.id} already exists \\(${status}\\); nothing was launched or changed$`,
      );

    let r = await runCli(env2, 'launch', '--campaign', stored.campaign.id, '--launch-id', launchId, '--customers-file', otherFile);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr.trim(), refused('running'));
    assert.deepEqual(await storedUnder(launchId), mine);
    r = await runCli(env2, 'launch', '--campaign', stored.campaign.id, '--launch-id', launchId, '--all');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr.trim(), refused('running'));

    const launcher = await startWorker({ roles: ['launches'], queues });
    try {
      const result = await env.client.workflow.getHandle(launch.workflowId).result();
      assert.deepEqual({ started: result.started, alreadyEnrolled: result.alreadyEnrolled }, { started: 2, alreadyEnrolled: 0 });
      r = await runCli(env2, 'launch', '--campaign', stored.campaign.id, '--launch-id', launchId, '--customers-file', otherFile);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr.trim(), refused('completed'));
      assert.deepEqual(await storedUnder(launchId), mine);
      await assert.rejects(env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, other)).describe(), /not found/i);
    } finally {
      await launcher.stop();
    }
  });

  it('two launches started at once with the same id: one starts, the other is refused, and the list is the one that started', async () => {
    const env = testEnv();
    const p = uid('race');
    const a = [`${p}-a0`, `${p}-a1`];
    const b = [`${p}-b0`, `${p}-b1`, `${p}-b2`];
    await customers([...a, ...b]);
    const stored = await emailCampaign();
    const launchId = `${p}-l`;
    const base = listBase(stored, `idle-${randomUUID()}`);
    const [ra, rb] = await Promise.allSettled([
      startLaunch({ ...base, customerIds: a, launchId }),
      startLaunch({ ...base, customerIds: b, launchId }),
    ]);
    // And the store alone, raced: one list is stored, the other attempt stores nothing.
    const key = { campaignId: stored.campaign.id, launchId: `${launchId}-store` };
    const stores = await Promise.all([storeLaunchList(env.db, key, a), storeLaunchList(env.db, key, b)]);
    assert.deepEqual([...stores].sort(), [false, true]);
    assert.deepEqual(await storedUnder(key.launchId), stores[0] ? a : b);
    const won = [ra, rb].filter((x): x is PromiseFulfilledResult<StartedLaunch> => x.status === 'fulfilled');
    const lost = [ra, rb].filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify([ra, rb]));
    assert.ok(lost[0].reason instanceof LaunchInputError && /already exists/.test(lost[0].reason.message), String(lost[0].reason));
    assert.deepEqual(await storedUnder(launchId), ra.status === 'fulfilled' ? a : b);
    await env.client.workflow.getHandle(won[0].value.workflowId).terminate('test cleanup');
  });

  it('a list launch started before lists were keyed by campaign still enrols its list from launch_audience_legacy', async () => {
    const env = testEnv();
    const p = uid('legacy');
    const ids = [`${p}-0`, `${p}-1`, `${p}-2`];
    await customers(ids);
    const stored = await emailCampaign();
    const launchId = `${p}-l`;
    // As the code before the upgrade left it: the list under the launch id alone, and a workflow input without listScope.
    await env.db('launch_audience_legacy').insert(ids.map((customer_id) => ({ launch_id: launchId, customer_id })));
    const input: LaunchInput = {
      launchId,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'list' },
      pageSize: 2,
      maxInFlight: 500,
    };
    const handle = await env.client.workflow.start<LaunchCampaignWorkflow>(WorkflowTypes.launchCampaign, {
      taskQueue: w.launchTaskQueue,
      workflowId: launchWorkflowId(stored.campaign.id, launchId),
      args: [input],
    });
    const result = await handle.result();
    assert.deepEqual({ started: result.started, alreadyEnrolled: result.alreadyEnrolled }, { started: 3, alreadyEnrolled: 0 });
    assert.equal(await visibleCount(`CampaignId="${stored.campaign.id}" AND WorkflowType="campaignRun"`, 3), 3);
  });
});
