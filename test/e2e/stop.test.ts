// `campaign-runner stop`: the operator's switch for a campaign that went out with a mistake. Stopped mid-launch, nothing
// is sent after it returns, a second stop changes nothing, and the output accounts for every customer.
import assert from 'node:assert/strict';
import { launchStatus, startLaunch } from '../../src/runs/launch';
import { testEnv } from '../support/env';
import { startCli } from '../support/cli';
import { acceptedFor, eventually, importLines, startWorker, uid } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { numberedLines } from '../support/customers';

describe('campaign-runner stop', function () {
  it('stops a launch of 300 midway: no more starts, open runs cancelled (sends on the wire answered and recorded), nothing sent afterwards; a second stop is a no-op', async () => {
    const env = testEnv();
    const tag = uid('stop');
    const n = 300;
    const members = numberedLines(tag, n, () => ({ tags: [tag] }));
    await importLines(members);
    // Every send takes 8 s at SendGrid (under the worker's client timeout, 20 s here): when the stop comes, some runs are
    // open and their sends on the wire. At 4 s, the stop CLI's own start under load sometimes let every run on the wire finish
    // before it reached them, on the PostgreSQL topology (1 CI pass in 4); at 1.5 s, more often.
    for (const m of members) env.fake.injectFault({ kind: 'slow', to: m.email, delayMs: 8000 });
    const stored = await emailCampaign();
    const w = await startWorker({ timeoutMs: 20_000 });
    const queues = { TASK_QUEUE: w.taskQueue, LAUNCH_TASK_QUEUE: w.launchTaskQueue };
    const accepted = () => members.reduce((k, m) => k + acceptedFor(m.email).length, 0);
    // Requests SendGrid holds now: the fake took the request (its slow fault is consumed) and has not answered yet.
    const onTheWire = () => {
      const waiting = new Set(env.fake.pendingFaults().map((f) => f.to));
      return members.filter((m) => !waiting.has(m.email) && acceptedFor(m.email).length === 0).length;
    };
    try {
      const launch = await startLaunch({
        client: env.client,
        db: env.db,
        launchTaskQueue: w.launchTaskQueue,
        campaignId: stored.campaign.id,
        campaignVersion: stored.version,
        audience: { kind: 'tag', tag },
        pageSize: 20,
        maxInFlight: 40,
      });
      // Stop while sends are on the wire (so their runs are open): stopping between two of the launch's pages, when
      // every started run had finished, cancelled no run and proved nothing about them (it failed 2 of 10 times on
      // the PostgreSQL topology).
      const before = await eventually(
        async () => ({ accepted: accepted(), onTheWire: onTheWire() }),
        (k) => k.accepted >= 20 && k.onTheWire >= 5,
        120_000,
      );
      assert.ok(before.accepted >= 20 && before.onTheWire >= 5, `no moment with sends on the wire: ${JSON.stringify(before)}`);

      const stop = await startCli(queues, 'stop', '--campaign', stored.campaign.id).exited(180_000);
      assert.equal(stop.code, 0, stop.stderr);
      const atStop = accepted();
      assert.ok(atStop < n, 'stopped before the launch finished');

      const scope = `CampaignId="${stored.campaign.id}" AND WorkflowType="campaignRun"`;
      assert.equal((await env.client.workflow.count(`${scope} AND ExecutionStatus="Running"`)).count, 0);
      assert.equal((await env.client.workflow.getHandle(launch.workflowId).describe()).status.name, 'CANCELLED');
      const started = (await env.client.workflow.count(scope)).count;
      assert.ok(started < n, `the launch was stopped before starting everyone (${started} started)`);

      // Nothing goes out after stop returned, not even the requests that were on the wire (SendGrid takes 8 s).
      await new Promise((r) => setTimeout(r, 10_000));
      assert.equal(accepted(), atStop);

      // The output accounts for everyone: started or never started; the ledger agrees with the fake.
      assert.match(
        stop.stdout,
        new RegExp(
          `^stopped campaign ${stored.campaign.id}: 1 launch\\(es\\) cancelled \\(${launch.launchId}\\), \\d+ open run\\(s\\) cancelled$`,
          'm',
        ),
      );
      assert.match(
        stop.stdout,
        new RegExp(`^launch ${launch.launchId}: audience ${n}, runs started ${started}, never started ${n - started}$`, 'm'),
      );
      const ledger = await env.db('send_ledger').where({ campaign_id: stored.campaign.id }).select('status');
      const byStatus = (s: string) => ledger.filter((r) => r.status === s).length;
      assert.equal(byStatus('sent'), atStop);
      assert.equal(byStatus('sending'), 0, 'no send left in progress');
      // Every message the fake took is `sent` in the ledger: a send whose request was on the wire when its run was
      // cancelled waited for SendGrid's answer (docs/guarantees.md). Whether a cancelled run had claimed a send not yet
      // written depends on timing: its row, if any, is 'cancelled'.
      assert.equal(ledger.length, byStatus('sent') + byStatus('cancelled') + byStatus('skipped'));
      const cancelledRuns = (await env.client.workflow.count(`${scope} AND ExecutionStatus="Canceled"`)).count;
      assert.ok(cancelledRuns >= 1);
      assert.match(stop.stdout, new RegExp(`^runs: \\d+ completed, ${cancelledRuns} cancelled, 0 failed, 0 terminated, 0 running$`, 'm'));
      // The launch's progress (what `launch` shows) counts them too.
      const status = await launchStatus(env.client, stored.campaign.id, launch.launchId, n);
      assert.equal(status.cancelled, cancelledRuns);
      assert.match(stop.stdout, new RegExp(`^TOTAL\\s+\\d+\\s+${atStop}\\s`, 'm'));

      const again = await startCli(queues, 'stop', '--campaign', stored.campaign.id).exited(120_000);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`^nothing to stop for campaign ${stored.campaign.id}: no launch and no run was open$`, 'm'));
      assert.match(
        again.stdout,
        new RegExp(`^launch ${launch.launchId}: audience ${n}, runs started ${started}, never started ${n - started}$`, 'm'),
      );
      assert.equal(accepted(), atStop);
    } finally {
      await w.stop();
    }
  });
});
