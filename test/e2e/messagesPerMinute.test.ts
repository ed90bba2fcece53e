// Messages per minute: a campaign's limit holds across worker processes, because the Temporal server rate-limits the
// campaign's sends queue (src/temporal/sendQueues.ts). Two workers, this process's and a production worker process,
// both poll it; the server's own timestamps (when each send task was handed to a worker) show the rate, the fake shows
// every message sent once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { campaignRunWorkflowId, sendsTaskQueue, type CampaignRunWorkflow } from '../../src/contract';
import { startCampaignRun } from '../../src/runs/start';
import { testEnv } from '../support/env';
import { acceptedFor, eventually, spawnTestWorker, startWorker, uid, type RunningWorker } from '../support/harness';
import { emailSettings, storeDoc } from '../support/campaigns';
import { customers } from '../support/customers';

const PER_MINUTE = 120;
/** what the queue is polled with: a little under 2 a second (src/temporal/sendQueues.ts, queueRatePerSecond) */
const RATE = PER_MINUTE / 61;
const N = 12;

async function pollers(queue: string) {
  const env = testEnv();
  const r = await env.client.workflowService.describeTaskQueue({
    namespace: env.namespace,
    taskQueue: { name: queue, kind: 1 }, // TASK_QUEUE_KIND_NORMAL
    taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
  });
  return (r.pollers ?? []).map((p) => ({ identity: p.identity ?? '', ratePerSecond: p.ratePerSecond ?? 0 }));
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

describe('messages per minute (end to end)', function () {
  it(`holds ${PER_MINUTE} a minute across two worker processes: the server hands out the sends no faster`, async function () {
    const env = testEnv();
    const ids = await customers(N, {}, 'rate');
    const stored = await storeDoc({
      id: uid('limited'),
      name: 'Limited',
      messagesPerMinute: PER_MINUTE,
      actions: [{ id: 'email', type: 'sendEmail', settings: emailSettings(), children: [] }],
    });
    const taskQueue = `test-${randomUUID()}`;
    const queue = sendsTaskQueue(taskQueue, stored.campaign.id);
    const { child, exited } = await spawnTestWorker({ TASK_QUEUE: taskQueue, WORKER_ROLES: 'runs' });
    let w: RunningWorker | undefined;
    try {
      w = await startWorker({ queues: { taskQueue, launchTaskQueue: `${taskQueue}-launches` }, roles: ['runs'] });
      // Both processes poll the campaign's sends queue, each asking the server for the campaign's rate.
      const seen = await eventually(
        () => pollers(queue),
        (ps) => new Set(ps.map((p) => p.identity)).size >= 2,
        30_000,
      );
      assert.equal(new Set(seen.map((p) => p.identity)).size, 2, JSON.stringify(seen));
      for (const p of seen) assert.ok(Math.abs(p.ratePerSecond - RATE) < 1e-6, JSON.stringify(p));

      const t0 = Date.now();
      for (const customerId of ids)
        await startCampaignRun({ client: env.client, taskQueue, campaign: stored.campaign, campaignVersion: stored.version, customerId });
      const handles = ids.map((id) => env.client.workflow.getHandle<CampaignRunWorkflow>(campaignRunWorkflowId(stored.campaign.id, id)));
      for (const r of await Promise.all(handles.map((h) => h.result()))) assert.equal(r.actions[0].outcome.status, 'sent');

      // When the server handed each send to a worker, and to which.
      const starts: { at: number; identity: string }[] = [];
      for (const h of handles) {
        const events = (await h.fetchHistory()).events ?? [];
        const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
        assert.equal(scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name, queue, 'the send went through the sends queue');
        const started = events.filter((e) => e.activityTaskStartedEventAttributes);
        assert.equal(started.length, 1);
        starts.push({ at: ms(started[0].eventTime), identity: started[0].activityTaskStartedEventAttributes!.identity ?? '' });
      }
      starts.sort((a, b) => a.at - b.at);
      // The server's token bucket holds one second's worth of tasks: in any stretch of d seconds at most RATE x d + RATE
      // sends start (so at most PER_MINUTE in any 60 s), plus one for rounding at the edges.
      for (let i = 0; i < starts.length; i++)
        for (let j = i + 1; j < starts.length; j++) {
          const d = (starts[j].at - starts[i].at) / 1000;
          assert.ok(
            j - i + 1 <= RATE * d + RATE + 1,
            `${j - i + 1} sends started within ${d.toFixed(2)} s: ${starts.map((s) => s.at - t0).join(', ')}`,
          );
        }
      assert.ok(new Set(starts.map((s) => s.identity)).size === 2, `both processes sent: ${JSON.stringify(starts.map((s) => s.identity))}`);
      // The fake: every customer's message exactly once, the last no sooner than the limit allows.
      for (const id of ids) assert.equal(acceptedFor(`${id}@example.com`).length, 1, id);
      const last = Math.max(...ids.map((id) => Date.parse(acceptedFor(`${id}@example.com`)[0].receivedAt)));
      assert.ok(last - t0 >= ((N - RATE - 1) / RATE) * 1000, `all ${N} arrived within ${last - t0} ms`);
    } finally {
      await w?.stop();
      child.kill('SIGTERM');
      await exited;
    }
  });

  it("follows the latest stored version's limit: a new limit replaces the queue's rate, a version without one lifts it", async () => {
    const id = uid('changing');
    const version = (messagesPerMinute?: number) =>
      storeDoc({
        id,
        name: `Changing ${messagesPerMinute ?? 'none'}`,
        ...(messagesPerMinute ? { messagesPerMinute } : {}),
        actions: [{ id: 'email', type: 'sendEmail', settings: emailSettings(), children: [] }],
      });
    await version(60);
    const w = await startWorker({ roles: ['runs'], sendLimitsRefreshMs: 200 });
    try {
      const queue = sendsTaskQueue(w.taskQueue, id);
      const rateOf = async () => (await pollers(queue)).map((p) => p.ratePerSecond);
      assert.equal(w.workers.sendQueues!.polled().get(queue), 60);
      await version(600);
      assert.equal(
        await eventually(
          async () => w.workers.sendQueues!.polled().get(queue),
          (r) => r === 600,
        ),
        600,
      );
      // The server reports the rate of the pollers that poll now.
      const r600 = await eventually(rateOf, (rs) => rs.length > 0 && rs.every((r) => Math.abs(r - 600 / 61) < 1e-6), 30_000);
      assert.ok(r600.length > 0 && r600.every((r) => Math.abs(r - 600 / 61) < 1e-6), JSON.stringify(r600));
      await version(undefined);
      assert.equal(
        await eventually(
          async () => w.workers.sendQueues!.polled().get(queue),
          (r) => r === null,
        ),
        null,
      );
    } finally {
      await w.stop();
    }
  });
});
