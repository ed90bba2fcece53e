// `campaign-runner stop` against a Temporal server whose visibility lags far behind (its own dev server, told to index
// one visibility task a second): runs a launch started a moment ago are not listed yet. The stop must still find and
// cancel every one (by its workflow id), so that nothing is sent after it returns and no run is left open.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { campaignRunWorkflowId } from '../../src/contract';
import { startDevServer, PROJECT_ROOT, type DevServer } from '../../dev/temporalServer';
import { startLaunch } from '../../src/runs/launch';
import { stopCampaign } from '../../src/runs/stop';
import { freePort, testEnv } from '../support/env';
import { acceptedFor, eventually, importLines, startWorker, uid, type RunningWorker } from '../support/harness';
import { emailSettings, storeDoc } from '../support/campaigns';

const emailThenTagAction = () => ({
  id: 'email',
  type: 'sendEmail',
  settings: emailSettings(),
  children: [{ id: 'tag', type: 'setTag', settings: { tag: 'welcomed' }, children: [] }],
});

describe('campaign-runner stop while visibility lags', function () {
  let server: DevServer;
  let connection: Connection;
  let native: NativeConnection;
  let client: Client;
  let w: RunningWorker;

  before(async () => {
    server = await startDevServer({
      port: await freePort(),
      logFile: path.join(PROJECT_ROOT, '.tools', 'test-temporal-lagging.log'),
      // One visibility task indexed a second: a run is listed seconds to minutes after it started.
      dynamicConfig: ['history.visibilityProcessorMaxPollRPS=1', 'history.visibilityTaskBatchSize=1'],
    });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, namespace: testEnv().namespace });
    native = await NativeConnection.connect({ address: server.address });
    w = await startWorker({ connection: native });
  });
  after(async () => {
    await w?.stop();
    // The server and everything on it go with it.
    await native?.close();
    await connection?.close();
    await server?.stop();
  });

  it('stops a launch right after it started its first pages: every run it started is closed, nothing is sent afterwards', async () => {
    const env = testEnv();
    const tag = uid('lag');
    const n = 60;
    const members = Array.from({ length: n }, (_, i) => ({
      id: `${tag}-${String(i).padStart(3, '0')}`,
      email: `${tag}-${i}@example.com`,
      emailSubscribed: true,
      tags: [tag],
    }));
    await importLines(members);
    // A short Wait before the e-mail: the runs the launch has started are open when the stop comes.
    const stored = await storeDoc({
      id: uid('camp'),
      name: 'Wait, then send',
      actions: [{ id: 'pause', type: 'wait', settings: { duration: { seconds: 3 } }, children: [emailThenTagAction()] }],
    });
    const accepted = () => members.reduce((k, m) => k + acceptedFor(m.email).length, 0);

    // A backlog ahead of the launch in the visibility queue: its runs will not be listed for half a minute or so.
    for (let i = 0; i < 30; i++) await client.workflow.start('backlog', { taskQueue: `nobody-${tag}`, workflowId: `${tag}-backlog-${i}` });

    const launch = await startLaunch({
      client,
      db: env.db,
      launchTaskQueue: w.launchTaskQueue,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'tag', tag },
      pageSize: 5,
      maxInFlight: n,
    });
    // The launch has started its first runs, which visibility cannot list yet.
    await eventually(
      () =>
        client.workflow
          .getHandle(campaignRunWorkflowId(stored.campaign.id, members[0].id))
          .describe()
          .then(
            () => true,
            () => false,
          ),
      (started) => started,
      60_000,
    );
    const visible = (await client.workflow.count(`CampaignId="${stored.campaign.id}" AND WorkflowType="campaignRun"`)).count;

    const summary = await stopCampaign({ client, db: env.db, campaignId: stored.campaign.id, closeTimeoutMs: 60_000 });
    const atStop = accepted();

    // Every run the launch started is closed, whatever visibility says.
    const open: string[] = [];
    for (const m of members) {
      const id = campaignRunWorkflowId(stored.campaign.id, m.id);
      const status = await client.workflow
        .getHandle(id)
        .describe()
        .then(
          (d) => d.status.name,
          (err) => (err instanceof WorkflowNotFoundError ? 'NOT_STARTED' : Promise.reject(err)),
        );
      if (status === 'RUNNING') open.push(m.id);
    }
    assert.deepEqual(open, [], `runs left open by the stop (visibility listed ${visible} runs when it began)`);
    // The launch was stopped (or had started everyone already): it starts nothing more.
    const launchStatus = (await client.workflow.getHandle(launch.workflowId).describe()).status.name;
    assert.ok(['CANCELLED', 'COMPLETED'].includes(launchStatus), launchStatus);
    assert.equal(summary.launchesCancelled.includes(launch.launchId), launchStatus === 'CANCELLED');

    // Nothing goes out after the stop returned, and the ledger says exactly what SendGrid took.
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(accepted(), atStop, 'a message was sent after stop returned');
    const sent = await env.db('send_ledger').where({ campaign_id: stored.campaign.id, status: 'sent' }).count({ n: '*' });
    assert.equal(Number(sent[0].n), atStop);
    assert.ok(atStop < n, `stopped before everyone was sent to (${atStop} of ${n})`);
  });
});
