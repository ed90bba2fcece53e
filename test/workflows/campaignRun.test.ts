// The campaignRun workflow's own logic (walking the tree, concurrency, when children run, bad input), on the real dev
// server and the production worker assembly, with the activities stubbed: no database, no SendGrid.
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/activity';
import {
  campaignRunWorkflowId,
  WorkflowTypes,
  type ActionActivityInput,
  type ActionNode,
  type CampaignRunInput,
  type CampaignRunResult,
  type CampaignRunWorkflow,
  type SendEmailResult,
  type SetTagResult,
} from '../../src/contract';
import { testEnv } from '../support/env';
import { eventually, startWorker, uid, type RunningWorker, prepareRunAsGiven } from '../support/harness';

type Stub<R> = (input: ActionActivityInput) => Promise<R>;

/** What the stubbed activities do for one run (keyed by the run's workflow id), and the calls they saw. */
interface Script {
  sendEmail?: Stub<SendEmailResult>;
  setTag?: Stub<SetTagResult>;
  calls: string[];
}

const sent: Stub<SendEmailResult> = async (i) => ({ status: 'sent', messageId: `msg-${i.actionId}` });
const done: Stub<SetTagResult> = async () => ({ status: 'done', applied: true });

const node = (id: string, type: string, children: ActionNode[] = []): ActionNode => ({ id, type, children });

describe('campaignRun workflow logic (stubbed activities)', function () {
  const scripts = new Map<string, Script>();
  let w: RunningWorker;

  before(async () => {
    // One worker for every test; each run finds its own script by its workflow id (the activities' runKey).
    const script = (i: ActionActivityInput) => {
      const s = scripts.get(i.runKey);
      if (!s) throw ApplicationFailure.nonRetryable(`no script for ${i.runKey}`);
      s.calls.push(i.actionId);
      return s;
    };
    w = await startWorker({
      activityOverrides: {
        // These runs walk trees no campaign stores: the start check takes the tree as given.
        prepareRun: prepareRunAsGiven,
        sendEmail: async (i: ActionActivityInput) => (script(i).sendEmail ?? sent)(i),
        // setTag runs as a local activity; the same override object serves it.
        setTag: async (i: ActionActivityInput) => (script(i).setTag ?? done)(i),
      },
    });
  });
  after(async () => w?.stop());

  async function start(actions: ActionNode[], s: Omit<Script, 'calls'> = {}) {
    const campaignId = uid('wf');
    const customerId = uid('c');
    const workflowId = campaignRunWorkflowId(campaignId, customerId);
    const script: Script = { ...s, calls: [] };
    scripts.set(workflowId, script);
    const input: CampaignRunInput = { campaignId, campaignVersion: 1, customerId, actions };
    const handle = await testEnv().client.workflow.start<CampaignRunWorkflow>(WorkflowTypes.campaignRun, {
      taskQueue: w.taskQueue,
      workflowId,
      args: [input],
    });
    return { handle, script };
  }

  function outcomes(r: CampaignRunResult): Record<string, unknown> {
    return Object.fromEntries(r.actions.map((a) => [a.actionId, a.outcome]));
  }

  it('runs siblings concurrently: each of two root e-mails is called before either returns', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inFlight = new Set<string>();
    const held: Stub<SendEmailResult> = async (i) => {
      inFlight.add(i.actionId);
      await gate;
      return { status: 'sent', messageId: `msg-${i.actionId}` };
    };
    const { handle, script } = await start([node('a', 'sendEmail', [node('a-tag', 'setTag')]), node('b', 'sendEmail')], {
      sendEmail: held,
    });
    try {
      // Neither stub returns until the gate opens, so both being in flight at once is only possible if the workflow
      // scheduled b without waiting for a (a sequential walk would leave b uncalled for good).
      const both = await eventually(
        async () => [...inFlight].sort(),
        (ids) => ids.length === 2,
        60_000,
      );
      assert.deepEqual(both, ['a', 'b']);
    } finally {
      release();
    }
    const r = await handle.result();
    assert.deepEqual(outcomes(r), {
      a: { status: 'sent', messageId: 'msg-a' },
      'a-tag': { status: 'done' },
      b: { status: 'sent', messageId: 'msg-b' },
    });
    assert.equal(script.calls.filter((c) => c === 'a-tag').length, 1);
  });

  it('runs children only after sent: skipped and failed leave them not_run', async () => {
    const { handle, script } = await start(
      [
        node('sent', 'sendEmail', [node('sent-tag', 'setTag', [node('sent-tag-email', 'sendEmail')])]),
        node('skipped', 'sendEmail', [node('skipped-tag', 'setTag')]),
        node('failed', 'sendEmail', [node('failed-tag', 'setTag', [node('failed-tag-email', 'sendEmail')])]),
      ],
      {
        sendEmail: async (i) => {
          if (i.actionId === 'skipped') return { status: 'skipped', reasons: ['email_missing', 'category_unsubscribed'] };
          if (i.actionId === 'failed') throw ApplicationFailure.nonRetryable('SendGrid rejected the message (400): nope');
          return { status: 'sent', messageId: `msg-${i.actionId}` };
        },
      },
    );
    const r = await handle.result();
    assert.deepEqual(
      r.actions.map((a) => a.actionId),
      ['sent', 'sent-tag', 'sent-tag-email', 'skipped', 'skipped-tag', 'failed', 'failed-tag', 'failed-tag-email'],
      'every action, in document order',
    );
    assert.deepEqual(outcomes(r), {
      sent: { status: 'sent', messageId: 'msg-sent' },
      'sent-tag': { status: 'done' },
      'sent-tag-email': { status: 'sent', messageId: 'msg-sent-tag-email' },
      skipped: { status: 'skipped', reasons: ['email_missing', 'category_unsubscribed'] },
      'skipped-tag': { status: 'not_run' },
      failed: { status: 'failed', error: 'SendGrid rejected the message (400): nope' },
      'failed-tag': { status: 'not_run' },
      'failed-tag-email': { status: 'not_run' },
    });
    assert.deepEqual([...script.calls].sort(), ['failed', 'sent', 'sent-tag', 'sent-tag-email', 'skipped']);
  });

  it('a failing activity gives failed with its message, and its children do not run', async () => {
    const { handle, script } = await start(
      [node('email', 'sendEmail', [node('email-tag', 'setTag')]), node('tag', 'setTag', [node('tag-email', 'sendEmail')])],
      {
        sendEmail: async () => {
          throw ApplicationFailure.nonRetryable('the mail server said no', 'StubFailure');
        },
        setTag: async () => {
          throw ApplicationFailure.nonRetryable('the tag could not be written', 'StubFailure');
        },
      },
    );
    const r = await handle.result();
    assert.deepEqual(outcomes(r), {
      email: { status: 'failed', error: 'the mail server said no' },
      'email-tag': { status: 'not_run' },
      tag: { status: 'failed', error: 'the tag could not be written' },
      'tag-email': { status: 'not_run' },
    });
    assert.deepEqual([...script.calls].sort(), ['email', 'tag']);
  });

  it('an unknown action type fails that node (its children not_run) and leaves its siblings alone', async () => {
    const { handle, script } = await start([node('sms', 'sendSms', [node('sms-tag', 'setTag')]), node('email', 'sendEmail')]);
    const r = await handle.result();
    assert.deepEqual(outcomes(r), {
      sms: { status: 'failed', error: 'unknown action type "sendSms"' },
      'sms-tag': { status: 'not_run' },
      email: { status: 'sent', messageId: 'msg-email' },
    });
    assert.deepEqual(script.calls, ['email']);
  });

  it('stops at 1000 actions: the rest fail with "campaign exceeds 1000 actions" and are not executed', async () => {
    // Cheap filler (an unknown type runs no activity), then real actions. Exactly 1000 actions all run...
    const filler = (n: number) => Array.from({ length: n }, (_, i) => node(`n${i}`, 'noop'));
    const atCap = await start([...filler(999), node('last-email', 'sendEmail')]);
    const full = outcomes(await atCap.handle.result());
    assert.deepEqual(full['last-email'], { status: 'sent', messageId: 'msg-last-email' });
    assert.deepEqual(atCap.script.calls, ['last-email']);

    // ...and past 1000, the walk stops: neither late action's activity is called.
    const { handle, script } = await start([...filler(1000), node('late-email', 'sendEmail'), node('late-tag', 'setTag')]);
    const r = await handle.result();
    assert.equal(r.actions.length, 1002);
    const o = outcomes(r);
    assert.deepEqual(o['n999'], { status: 'failed', error: 'unknown action type "noop"' });
    assert.deepEqual(o['late-email'], { status: 'failed', error: 'campaign exceeds 1000 actions' });
    assert.deepEqual(o['late-tag'], { status: 'failed', error: 'campaign exceeds 1000 actions' });
    assert.deepEqual(script.calls, [], 'no activity ran past the cap');
  });
});
