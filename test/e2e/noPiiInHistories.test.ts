// Histories are kept for days, shown in Temporal Web and exported: they must hold no customer address, and failures
// must not carry the worker host's paths (stack traces).
import assert from 'node:assert/strict';
import { getEntry } from '../../src/db/ledger';
import { campaignRunWorkflowId } from '../../src/contract';
import { resolveWorkflowBundle } from '../../src/temporal/workflowBundle';
import { testEnv } from '../support/env';
import {
  acceptedFor,
  eventually,
  importLines,
  outcomeOf,
  runToEnd,
  startWorker,
  tagsOf,
  uid,
  useWorker,
  type RunningWorker,
} from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';
import { addressesInHistory, describeHits } from '../support/historyAddresses';

/** Every `stackTrace` of every failure in a history (causes included). */
function stackTraces(history: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'stackTrace' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(history);
  return out;
}

/** A host path: /work/..., /app/dist/..., file:///..., C:\... */
const HOST_PATH = /(?:^|[\s(])(?:\/|[A-Za-z]:\\|file:|webpack:)/m;

/**
 * The stack traces of the failed workflow task of a run whose start check hands back no tree (its workflow code then
 * throws in countActions). `worker` must stub prepareRun with {@link noTree}: a real check refuses such a run cleanly.
 */
async function workflowTaskFailureTraces(worker: RunningWorker): Promise<string[]> {
  const campaignId = uid('bad-input');
  const handle = await testEnv().client.workflow.start('campaignRun', {
    taskQueue: worker.taskQueue,
    workflowId: campaignRunWorkflowId(campaignId, 'c'),
    args: [{ campaignId, campaignVersion: 1, customerId: 'c', actions: null }],
  });
  try {
    const failedTask = await eventually(
      async () => (await handle.fetchHistory()).events!.find((e) => e.workflowTaskFailedEventAttributes),
      (e) => e !== undefined,
    );
    assert.ok(failedTask, 'the workflow task failed');
    return stackTraces(failedTask.workflowTaskFailedEventAttributes);
  } finally {
    await handle.terminate('test over');
  }
}

/** A start check that answers with no tree at all: the workflow code's own failure, not a refusal. */
const noTree = { prepareRun: async () => ({ actions: null as never }) };

describe('no addresses or host paths in histories (end to end)', function () {
  const w = useWorker();

  it("SendGrid's duplicate-recipient 400 fails the action naming <to>; neither the result nor the history holds the address", async () => {
    const id = uid('c');
    const address = `${id}.Lee@Example.com`;
    const bcc = `audit-${id}@shop.example.com`;
    await importLines([{ id, email: address, emailSubscribed: true, firstName: 'Ann', lastName: 'Lee' }]);
    testEnv().fake.injectFault({ kind: '400-duplicate', to: address });
    const stored = await emailCampaign({ bcc: [bcc] });

    const r = await runToEnd(w, stored, id);
    const expected =
      'SendGrid rejected the message (400): personalizations.0: Each email address in the personalization block should be unique ' +
      'between to, cc, and bcc. We found the first duplicate instance of [<to>] in the personalizations.0.bcc field.';
    assert.deepEqual(outcomeOf(r, 'email'), { status: 'failed', error: expected });
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'not_run' });
    assert.deepEqual(await tagsOf(id), []);
    assert.equal(acceptedFor(address).length, 0);
    assert.ok(!JSON.stringify(r).toLowerCase().includes(address.toLowerCase()), 'the run result holds no address');
    const runKey = campaignRunWorkflowId(stored.campaign.id, id);
    assert.equal((await getEntry(testEnv().db, { runKey, actionId: 'email' }))?.error, expected);

    const history = await testEnv().client.workflow.getHandle(runKey).fetchHistory();
    const hits = addressesInHistory(history, [address.toLowerCase(), bcc], { workflowId: runKey, runId: '' });
    assert.deepEqual(describeHits(hits), []);
    const failed = history.events!.find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!;
    assert.equal(failed.failure!.message, expected, 'the failure in the history names the role');
  });

  it('failures carry no host paths: an activity failure and a workflow task failure', async () => {
    const env = testEnv();
    // An activity failure: SendGrid refuses the message (the subject renders empty).
    const { id } = await customer({}, 'c');
    const stored = await emailCampaign({ subject: '{{ customer.attributes.headline }}' });
    const r = await runToEnd(w, stored, id);
    assert.equal(outcomeOf(r, 'email').status, 'failed');
    const activityHistory = await env.client.workflow.getHandle(campaignRunWorkflowId(stored.campaign.id, id)).fetchHistory();
    const activityTraces = stackTraces(activityHistory);

    // A workflow task failure: the workflow code throws on a run without a tree (in the workflow sandbox). On the
    // suite's bundle, and on the bundle a production worker resolves (the prebuilt one when current).
    const workflowTraces: string[] = [];
    for (const workflowBundle of [env.workflowBundle, await resolveWorkflowBundle(() => undefined)]) {
      const broken = await startWorker({ roles: ['runs'], workflowBundle, activityOverrides: noTree });
      try {
        workflowTraces.push(...(await workflowTaskFailureTraces(broken)));
      } finally {
        await broken.stop();
      }
    }

    for (const [what, traces] of [
      ['activity', activityTraces],
      ['workflow task', workflowTraces],
    ] as const) {
      assert.ok(traces.length > 0, `the ${what} failure is in the history`);
      for (const t of traces) {
        assert.doesNotMatch(t, HOST_PATH, `${what} failure stack trace: ${t}`);
        // The frames stay (what ran, in which file and line), and nothing else: no message text, which could hold data.
        for (const line of t.split('\n').filter(Boolean)) assert.match(line, /^\s+at /, `${what} failure stack trace line: ${line}`);
      }
    }
    assert.equal(workflowTraces.length, 2);
    assert.ok(
      workflowTraces.every((t) => /at countActions \(campaignRun\.(?:ts|js):\d+:\d+\)/.test(t)),
      `the workflow frames name file and line: ${workflowTraces.join('\n')}`,
    );
  });
});
