// A run started by any Temporal client keeps the promises (docs/starting-runs.md): the `temporal` CLI starts runs with
// ids alone; a run under another workflow id than its own is refused at its start, whatever it carries; an input whose
// tree its stored campaign does not have fails at once and sends nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { campaignRunWorkflowId, FailureTypes, WorkflowTypes, type CampaignRunInput } from '../../src/contract';
import { temporalBinary } from '../../dev/temporalServer';
import { actionTree } from '../../src/campaigns/runTree';
import { testEnv } from '../support/env';
import { acceptedFor, importLines, outcomeOf, runToEnd, startWorker, tagsOf, uid, type RunningWorker } from '../support/harness';
import { emailSettings, emailThenTag, storeDoc } from '../support/campaigns';

const run = promisify(execFile);

/** `temporal workflow <args>` against the test server; stdout. */
async function temporal(...args: string[]): Promise<string> {
  const env = testEnv();
  const { stdout } = await run(temporalBinary(), ['workflow', ...args, '--address', env.temporalAddress, '--namespace', env.namespace], {
    timeout: 60_000,
  });
  return stdout;
}

async function customer(): Promise<{ id: string; email: string }> {
  const id = uid('any');
  await importLines([{ id, email: `${id}@example.com`, emailSubscribed: true }]);
  return { id, email: `${id}@example.com` };
}

/** The run's failure: its type and message. */
async function failureOf(workflowId: string): Promise<{ type?: string; message: string }> {
  const err = await testEnv()
    .client.workflow.getHandle(workflowId)
    .result()
    .then(
      () => assert.fail(`${workflowId} completed; it should have failed`),
      (e: unknown) => e,
    );
  assert.ok(err instanceof WorkflowFailedError, String(err));
  const cause = err.cause as ApplicationFailure;
  return { type: cause.type ?? undefined, message: cause.message };
}

describe('a run started by any Temporal client keeps the promises', function () {
  let w: RunningWorker;
  before(async () => {
    w = await startWorker();
  });
  after(async () => w?.stop());

  it('the temporal CLI starts a run with ids alone: it sends once, its children run', async () => {
    const c = await customer();
    const stored = await storeDoc(emailThenTag(uid('cli'), emailSettings()));
    const workflowId = campaignRunWorkflowId(stored.campaign.id, c.id);
    const input = { campaignId: stored.campaign.id, campaignVersion: stored.version, customerId: c.id };
    await temporal(
      'start',
      '--type',
      WorkflowTypes.campaignRun,
      '--task-queue',
      w.taskQueue,
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify(input),
    );
    const r = await testEnv().client.workflow.getHandle(workflowId).result();
    assert.equal(outcomeOf(r, 'email').status, 'sent');
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'done' });
    assert.equal(acceptedFor(c.email).length, 1);
    assert.deepEqual(await tagsOf(c.id), ['welcomed']);
  });

  it("a copy of a finished run's input under another workflow id is refused at its start: nothing is sent twice", async () => {
    const c = await customer();
    const stored = await storeDoc(emailThenTag(uid('copy'), emailSettings()));
    await runToEnd(w, stored, c.id);
    assert.equal(acceptedFor(c.email).length, 1);
    // The input exactly as the first run's history holds it.
    const history = await testEnv().client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, c.id)).fetchHistory();
    const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
    const input = Buffer.from(payload.data!).toString('utf8');
    const other = `copy-of-${uid('run')}`;
    await temporal('start', '--type', WorkflowTypes.campaignRun, '--task-queue', w.taskQueue, '--workflow-id', other, '--input', input);
    const f = await failureOf(other);
    assert.equal(f.type, FailureTypes.invalidRunInput);
    assert.equal(
      f.message,
      `a campaign run's workflow id must be "${campaignRunWorkflowId(stored.campaign.id, c.id)}" (one run per campaign and customer), not "${other}": start it under that id`,
    );
    assert.equal(acceptedFor(c.email).length, 1, 'not sent again');
    // Refused before it did anything: no activity was scheduled.
    const events = (await testEnv().client.workflow.getHandle(other).fetchHistory()).events!;
    assert.ok(!events.some((e) => e.activityTaskScheduledEventAttributes));
  });

  const badTrees: [string, (input: CampaignRunInput) => CampaignRunInput, RegExp][] = [
    [
      'an unknown action id',
      (i) => ({ ...i, actions: [{ ...i.actions![0], id: 'not-there' }] }),
      /action "not-there" is not a root in the stored version/,
    ],
    [
      'an action of another type',
      (i) => ({ ...i, actions: [{ ...i.actions![0], children: [{ id: 'tag', type: 'wait', wait: { seconds: 1 }, children: [] }] }] }),
      /action "tag" is a setTag in the stored version, not a wait/,
    ],
    ['a version that is not stored', (i) => ({ ...i, campaignVersion: i.campaignVersion + 99 }), /has no stored version/],
    ['no version', (i) => ({ ...i, campaignVersion: undefined as unknown as number }), /campaignVersion is required/],
    [
      'a missing child',
      (i) => ({ ...i, actions: [{ ...i.actions![0], children: [] }] }),
      /action "tag" is missing under actions\[0\]\.children/,
    ],
  ];
  for (const [what, change, message] of badTrees) {
    it(`an input with ${what} fails at once with one clear failure, and sends nothing`, async () => {
      const c = await customer();
      const stored = await storeDoc(emailThenTag(uid('tree'), emailSettings()));
      const input: CampaignRunInput = {
        campaignId: stored.campaign.id,
        campaignVersion: stored.version,
        customerId: c.id,
        actions: actionTree(stored.campaign),
      };
      const workflowId = campaignRunWorkflowId(stored.campaign.id, c.id);
      await testEnv().client.workflow.start(WorkflowTypes.campaignRun, { taskQueue: w.taskQueue, workflowId, args: [change(input)] });
      const f = await failureOf(workflowId);
      assert.equal(f.type, FailureTypes.invalidRunInput);
      assert.match(f.message, message);
      assert.equal(acceptedFor(c.email).length, 0);
      assert.equal((await testEnv().db('send_ledger').where({ customer_id: c.id })).length, 0, 'no ledger row');
    });
  }
});
