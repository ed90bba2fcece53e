// `launch` watches its launch workflow to the end: when the workflow fails or is terminated, the CLI says why in one
// line and exits non-zero instead of polling forever.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { launchWorkflowId } from '../../src/contract';
import { startCli } from '../support/cli';
import { testEnv } from '../support/env';
import { eventually, importLines, startWorker, uid, useWorker } from '../support/harness';
import { emailCampaign } from '../support/campaigns';

describe('launch (CLI) when its launch workflow ends badly', function () {
  const w = useWorker();

  /** A tagged audience and a stored campaign, and a launch task queue that no worker polls (yet). */
  async function setUpLaunch() {
    const tag = uid('watch');
    await importLines(
      Array.from({ length: 3 }, (_, i) => ({ id: `${tag}-${i}`, email: `${tag}-${i}@example.com`, emailSubscribed: true, tags: [tag] })),
    );
    const stored = await emailCampaign();
    const launchId = `${tag}-l`;
    const queues = { taskQueue: w.taskQueue, launchTaskQueue: `idle-${randomUUID()}` };
    const cli = startCli(
      { TASK_QUEUE: queues.taskQueue, LAUNCH_TASK_QUEUE: queues.launchTaskQueue },
      'launch',
      '--campaign',
      stored.campaign.id,
      '--tag',
      tag,
      '--launch-id',
      launchId,
    );
    const handle = testEnv().client.workflow.getHandle(launchWorkflowId(stored.campaign.id, launchId));
    // The CLI has started the launch and is watching it (nothing runs it: its task queue has no worker).
    const started = await eventually(
      () =>
        handle.describe().then(
          (d) => d.status.name,
          () => undefined,
        ),
      (s) => s === 'RUNNING',
    );
    assert.equal(started, 'RUNNING', `the launch was not started: ${cli.stderr()}`);
    await eventually(
      async () => cli.stdout(),
      (out) => out.includes(`launch ${launchId}:`),
    );
    return { stored, launchId, queues, cli, handle };
  }

  it('a terminated launch: the CLI prints the reason in one line and exits non-zero', async () => {
    const { stored, launchId, cli, handle } = await setUpLaunch();
    await handle.terminate('stopped by the operator');
    const r = await cli.exited(60_000);
    assert.notEqual(r.code, null, `the CLI was still polling 60 s after its launch was terminated:\n${r.stdout}`);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim(), `error: launch ${launchId} of campaign ${stored.campaign.id} was terminated: stopped by the operator`);
  });

  it('a failed launch (its campaign version is gone): the CLI prints the failure in one line and exits non-zero', async () => {
    const { stored, launchId, queues, cli } = await setUpLaunch();
    // The first page then finds no stored version: startLaunchPage fails with CampaignNotFound, which is not retried.
    await testEnv().db('campaigns').where({ id: stored.campaign.id }).del();
    const launcher = await startWorker({ roles: ['launches'], queues });
    try {
      const r = await cli.exited(60_000);
      assert.notEqual(r.code, null, `the CLI was still polling 60 s after its launch failed:\n${r.stdout}`);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr.trim(),
        `error: launch ${launchId} of campaign ${stored.campaign.id} failed: ` +
          `campaign ${stored.campaign.id} version ${stored.version} is not stored (CampaignNotFound)`,
      );
    } finally {
      await launcher.stop();
    }
  });
});
