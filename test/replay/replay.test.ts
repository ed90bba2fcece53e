// Every committed history must replay against the current workflow code with the production bundle options. A
// determinism error fails the suite and names the history file.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadHistoryFiles, replayHistories, type ReplayReport } from '../../src/replay/replay';
import { workflowBundleOptions } from '../../src/temporal/workerShared';
import { testEnv } from '../support/env';
import { eventTexts } from '../support/historyAddresses';
import {
  activityTaskQueues,
  closedAs,
  emailEventSignals,
  localActivityMarkers,
  patchMarkers,
  scheduledActivities,
  timerFired,
  timerSummaries,
  workflowType,
} from './historyEvents';
import { fromRoot } from '../support/paths';
import { inputOf, withInput } from './tamperedInput';
import { assignVariant } from '../../src/contract';

const HISTORIES = fromRoot('test', 'histories');

// Each recording is a generation in its own folder (docs/operating.md, "Replay tests", runbook step 3); all of them must replay.
/** The first recording, made before the set-tag-local-activity patch: Set tag is a normal activity. */
const BEFORE_SET_TAG_LOCAL = '';
/** Recorded since the patch: Set tag is a local activity, behind the patch's marker. */
const SINCE_SET_TAG_LOCAL = '2026-11-27-set-tag-local-activity/';
/** Recorded since the send guarantees: every shape again, and the sends that something interrupted. */
const SINCE_SEND_GUARANTEES = '2026-11-28-send-guarantees/';
/** Recorded since campaign timing: every shape again, and Wait, Wait until, the send window and the sends queue. */
const SINCE_TIMING = '2026-11-28-timing/';
/** Recorded since Check e-mail status: every shape again, and checks ended by a click, at the deadline, at once. */
const SINCE_CHECK = '2026-11-28-check-email-status/';
/** Recorded since generation run-2026-12 (src/workflows/versions.ts): every shape again under one marker, and the runs
 * that waited for SendGrid's word, started with ids alone or were refused at their start. */
const SINCE_RUN_2026_12 = '2026-12-07-run-2026-12/';
/** The generation's one marker (src/workflows/versions.ts). */
const RUN_2026_12 = 'run-2026-12';
/** The patch id in src/actions/setTag/workflow.ts (tests do not import workflow code; the variants do). */
const SET_TAG_LOCAL = 'set-tag-local-activity';
/** The patch ids in src/workflows/versions.ts and src/actions/sendEmail/workflow.ts. */
const CANCEL_ENDS_RUN = 'cancellation-ends-run';
const RECORD_LIFETIME_EXPIRY = 'record-lifetime-expiry';
/** An e-mail whose run carries a send window waits for it (src/actions/sendEmail/workflow.ts). */
const SEND_WINDOW = 'send-window';

const CAMPAIGN_RUN_SHAPES = [
  'sent-with-children',
  'skipped-email_channel_unsubscribed',
  'skipped-email_missing',
  'skipped-email_invalid',
  'skipped-category_unsubscribed',
  'skipped-every-reason',
  'skipped-customer_not_found',
  'failed-on-400',
  'retried-after-429',
];
/** Runs cancelled since cancellation-ends-run: its marker, a closeSend local activity, the run Cancelled. */
const CANCELLED_SHAPES = ['cancelled-on-the-wire', 'cancelled-between-attempts'];
/** A run whose message lifetime ran out since record-lifetime-expiry: its marker and a closeSend local activity. */
const LIFETIME_SHAPES = ['lifetime-expired'];
/** Recorded since the send guarantees, on top of CAMPAIGN_RUN_SHAPES (scripts/recordSendGuarantees.ts). */
const SEND_GUARANTEE_SHAPES = [
  ...CANCELLED_SHAPES,
  ...LIFETIME_SHAPES,
  'failed-delivery_unknown',
  'resent-possible_duplicate',
  'failed-template-render',
  'misconfigured-then-fixed',
];
const LAUNCH_SHAPES = ['first-run-continues-as-new', 'last-run-completes'];
/** Recorded since campaign timing, on top of the others (scripts/recordTiming.ts). */
const TIMING_SHAPES = [
  'wait-then-send',
  'wait-until-ahead',
  'wait-until-past',
  'send-window-wait',
  'send-window-open',
  'wait-cancelled',
  'rate-limited-send',
];

/** Recorded since Check e-mail status, on top of the others (scripts/recordCheckEmailStatus.ts). */
const CHECK_SHAPES = ['check-clicked-early', 'check-at-deadline', 'check-at-once'];
/** The checks a signal woke while they waited (the delivery's, then the click's for the first). */
const CHECKS_WOKEN = ['check-clicked-early', 'check-at-deadline'];

/** Recorded since run-2026-12, on top of the others (scripts/recordRunContract.ts). */
const RUN_CONTRACT_SHAPES = ['word-confirmed', 'ids-only-input', 'refused-workflow-id', 'refused-tree'];
/** The runs of run-2026-12 whose send's answer was lost, so that they waited for SendGrid's word. */
const WORD_AWAITED = ['word-confirmed', 'failed-delivery_unknown', 'resent-possible_duplicate'];
/** The cancelled runs of run-2026-12 that closed their send: cancelled between attempts (the one on the wire was sent). */
const CLOSED_WHEN_CANCELLED = ['cancelled-between-attempts'];
/** Recorded since Split and Control group, in run-2026-12 (scripts/recordSplit.ts): a customer of each variant. */
const SPLIT_SHAPES = ['split-variant-a', 'split-variant-b', 'control-group-control', 'control-group-target'];
/** Refused at their start: nothing after the check ran. */
const REFUSED_SHAPES = ['refused-workflow-id', 'refused-tree'];

/** Every generation and the campaign run shapes it holds (each holds the launcher's too). */
const GENERATIONS: [string, string[]][] = [
  [BEFORE_SET_TAG_LOCAL, CAMPAIGN_RUN_SHAPES],
  [SINCE_SET_TAG_LOCAL, CAMPAIGN_RUN_SHAPES],
  [SINCE_SEND_GUARANTEES, [...CAMPAIGN_RUN_SHAPES, ...SEND_GUARANTEE_SHAPES]],
  [SINCE_TIMING, [...CAMPAIGN_RUN_SHAPES, ...SEND_GUARANTEE_SHAPES, ...TIMING_SHAPES]],
  [SINCE_CHECK, [...CAMPAIGN_RUN_SHAPES, ...SEND_GUARANTEE_SHAPES, ...TIMING_SHAPES, ...CHECK_SHAPES]],
  [
    SINCE_RUN_2026_12,
    [...CAMPAIGN_RUN_SHAPES, ...SEND_GUARANTEE_SHAPES, ...TIMING_SHAPES, ...CHECK_SHAPES, ...RUN_CONTRACT_SHAPES, ...SPLIT_SHAPES],
  ],
];
/** The generations before run-2026-12 that hold the send guarantees' shapes (each patch has its own marker there). */
const WITH_SEND_GUARANTEES = [SINCE_SEND_GUARANTEES, SINCE_TIMING, SINCE_CHECK];

/** An e-mail address in a history's text, and the only domain committed histories may hold one of. */
const ADDRESS = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/g;
const TEST_DOMAIN = /(^|\.)example\.com$/;

async function bundleVariant(name: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    ...workflowBundleOptions({ workflowsPath: require.resolve(`./variants/${name}`) }),
    logger: new DefaultLogger('WARN'),
  });
}

/**
 * Exactly the named histories failed, each for nondeterminism: a variant that crashed, failed to load or lacked a
 * workflow type fails differently (a ReplayError) and does not count as the guard biting.
 */
function assertNondeterminism(report: ReplayReport, replayed: number, names: string[]): void {
  assert.equal(report.replayed, replayed);
  assert.deepEqual(report.failures.map((f) => f.name).sort(), [...names].sort());
  for (const f of report.failures) {
    assert.match(f.error, /^DeterminismViolationError: .*\[TMPRL1100\] Nondeterminism error/s, `${f.name}: ${f.error}`);
  }
}

describe('replay of committed histories', function () {
  const histories = loadHistoryFiles(HISTORIES);
  const campaignRuns = (generation: string) =>
    histories.filter((h) => workflowType(h) === 'campaignRun' && h.workflowId.startsWith(`${generation}campaignRun/`));
  const named = (hs: HistoryAndWorkflowId[]) => hs.map((h) => h.workflowId);
  const shapes = (generation: string, names: string[]) =>
    histories.filter((h) => names.some((s) => h.workflowId === `${generation}campaignRun/${s}.json`));

  it('has a history for every recorded shape', () => {
    const names = named(histories);
    // The launcher's commands did not change between the generations; its input did (maxInFlight).
    const expected = GENERATIONS.flatMap(([g, runShapes]) => [
      ...runShapes.map((s) => `${g}campaignRun/${s}.json`),
      ...LAUNCH_SHAPES.map((s) => `${g}launchCampaign/${s}.json`),
    ]);
    for (const shape of expected) assert.ok(names.includes(shape), `missing ${shape}`);
  });

  it('no committed history holds an e-mail address outside example.com', () => {
    for (const h of histories) {
      const events: unknown[] = JSON.parse(historyToJSON(h.history as History)).events ?? [];
      const found = events.flatMap((e) => eventTexts(e).match(ADDRESS) ?? []);
      const foreign = [...new Set(found)].filter((a) => !TEST_DOMAIN.test(a.slice(a.indexOf('@') + 1)));
      // Only the domain is printed: the local part could be a customer's.
      assert.deepEqual(
        foreign.map((a) => a.slice(a.indexOf('@'))),
        [],
        `${h.workflowId} holds addresses`,
      );
    }
  });

  it('replays every committed history against the current workflow code', async () => {
    const report = await replayHistories(histories, { workflowBundle: testEnv().workflowBundle });
    assert.equal(report.replayed, histories.length);
    assert.deepEqual(report.failures, [], report.failures.map((f) => `${f.name}: ${f.error}`).join('\n'));
  });

  it('runs recorded since set-tag-local-activity took its patched branch: the marker, and Set tag as a local activity', () => {
    assert.equal(campaignRuns(SINCE_SET_TAG_LOCAL).length, CAMPAIGN_RUN_SHAPES.length);
    assert.equal(campaignRuns(SINCE_SEND_GUARANTEES).length, CAMPAIGN_RUN_SHAPES.length + SEND_GUARANTEE_SHAPES.length);
    // The timing shapes have their own campaigns (not every one runs Set tag): their own test below.
    const guaranteeShapes = WITH_SEND_GUARANTEES.flatMap((g) => shapes(g, [...CAMPAIGN_RUN_SHAPES, ...SEND_GUARANTEE_SHAPES]));
    for (const h of [...campaignRuns(SINCE_SET_TAG_LOCAL), ...guaranteeShapes]) {
      // Every shape runs Set tag (the fixture's sibling root "tag-entered"), so every run consulted the patch.
      assert.equal(patchMarkers(h)[0], SET_TAG_LOCAL, h.workflowId);
      assert.ok(localActivityMarkers(h).includes('setTag'), `${h.workflowId}: no setTag local activity marker`);
      assert.ok(!scheduledActivities(h).includes('setTag'), `${h.workflowId}: setTag scheduled as a normal activity`);
    }
    for (const h of campaignRuns(SINCE_SET_TAG_LOCAL)) assert.deepEqual(patchMarkers(h), [SET_TAG_LOCAL], h.workflowId);
  });

  it('runs recorded since the send guarantees took the branch their shape names: markers, closeSend, how they ended', () => {
    const shapeOf = (h: HistoryAndWorkflowId) => path.basename(h.workflowId, '.json');
    const runs = WITH_SEND_GUARANTEES.flatMap((g) => shapes(g, [...CAMPAIGN_RUN_SHAPES, ...SEND_GUARANTEE_SHAPES]));
    assert.equal(runs.length, WITH_SEND_GUARANTEES.length * (CAMPAIGN_RUN_SHAPES.length + SEND_GUARANTEE_SHAPES.length));
    for (const h of runs) {
      const shape = shapeOf(h);
      const cancelled = CANCELLED_SHAPES.includes(shape);
      const expired = LIFETIME_SHAPES.includes(shape);
      // A patch is consulted (and its marker recorded) only when a run meets its case: cancelled, or out of lifetime.
      const patches = [SET_TAG_LOCAL, ...(cancelled ? [CANCEL_ENDS_RUN] : []), ...(expired ? [RECORD_LIFETIME_EXPIRY] : [])];
      assert.deepEqual(patchMarkers(h), patches, h.workflowId);
      const closes = localActivityMarkers(h).filter((t) => t === 'closeSend').length;
      assert.equal(closes, cancelled || expired ? 1 : 0, `${h.workflowId}: closeSend local activity markers`);
      assert.equal(closedAs(h), cancelled ? 'canceled' : 'completed', h.workflowId);
    }
  });

  it('the timing shapes recorded what they are named for: timer summaries, the send-window marker, the sends queue', () => {
    const h = (shape: string) => shapes(SINCE_TIMING, [shape])[0];
    assert.deepEqual(timerSummaries(h('wait-then-send')), ['Wait 1 second']);
    assert.match(timerSummaries(h('wait-until-ahead')).join('|'), /^Wait until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d UTC$/);
    assert.deepEqual(timerSummaries(h('wait-until-past')), [], 'a moment already past needs no timer');
    assert.deepEqual(timerSummaries(h('wait-cancelled')), ['Wait 3 days']);
    assert.equal(closedAs(h('wait-cancelled')), 'canceled');
    for (const shape of ['send-window-wait', 'send-window-open']) {
      assert.deepEqual(patchMarkers(h(shape)), [SEND_WINDOW, SET_TAG_LOCAL], shape);
      assert.deepEqual(localActivityMarkers(h(shape))[0], 'sendWindowOpening', shape);
    }
    assert.match(timerSummaries(h('send-window-wait')).join('|'), /^Send window .* UTC: opens [^|]*$/);
    assert.deepEqual(timerSummaries(h('send-window-open')), []);
    assert.match(activityTaskQueues(h('rate-limited-send')).join(), /-sends-replay-limited$/);
    // Runs without a window never consult its patch.
    for (const shape of ['wait-then-send', 'wait-until-ahead', 'rate-limited-send'])
      assert.ok(!patchMarkers(h(shape)).includes(SEND_WINDOW), shape);
  });

  it('the check shapes recorded what they are named for: the emailEvent signal, the deadline timer cancelled or fired', () => {
    const h = (shape: string) => shapes(SINCE_CHECK, [shape])[0];
    const signals = emailEventSignals;
    const fired = timerFired;
    const reads = (x: HistoryAndWorkflowId) => localActivityMarkers(x).filter((t) => t === 'emailStatus').length;
    const early = h('check-clicked-early');
    assert.equal(signals(early), 2, 'the delivery and the click');
    assert.equal(fired(early), false, 'the click ended the wait before its deadline');
    assert.equal(reads(early), 3, 'a read at once, then one on each signal');
    assert.deepEqual(timerSummaries(early), [
      'Wait up to 60 seconds for a click on welcome-email',
      'Wait up to 60 seconds for a click on welcome-email',
    ]);
    const deadline = h('check-at-deadline');
    assert.equal(fired(deadline), true);
    assert.equal(reads(deadline), 3, 'a read at once, one on the delivery signal, one at the deadline');
    const once = h('check-at-once');
    assert.equal(reads(once), 1);
    assert.deepEqual(timerSummaries(once), ['Wait 2 seconds'], 'no timer for a check without waitUpTo');
    for (const shape of CHECK_SHAPES) assert.deepEqual(patchMarkers(h(shape)), [SET_TAG_LOCAL], shape);
  });

  it('runs of run-2026-12 record one marker, check their start, and take every earlier branch without its marker', () => {
    const shapeOf = (h: HistoryAndWorkflowId) => path.basename(h.workflowId, '.json');
    const runs = campaignRuns(SINCE_RUN_2026_12);
    assert.equal(runs.length, GENERATIONS.at(-1)![1].length);
    for (const h of runs) {
      const shape = shapeOf(h);
      assert.deepEqual(patchMarkers(h), [RUN_2026_12], h.workflowId);
      const locals = localActivityMarkers(h);
      // The id is checked in workflow code: a run under another id reads nothing; every other run reads its stored
      // version first.
      if (shape === 'refused-workflow-id') assert.deepEqual(locals, [], h.workflowId);
      else assert.equal(locals[0], 'prepareRun', h.workflowId);
      if (REFUSED_SHAPES.includes(shape)) {
        assert.equal(closedAs(h), 'failed', h.workflowId);
        assert.deepEqual(scheduledActivities(h), [], h.workflowId);
        continue;
      }
      assert.ok(!scheduledActivities(h).includes('setTag'), `${h.workflowId}: setTag scheduled as a normal activity`);
      const closes = locals.filter((t) => t === 'closeSend').length;
      // Cancelled on the wire, the attempt waited for SendGrid's answer and recorded the send sent: nothing to close.
      const closing = [...CLOSED_WHEN_CANCELLED, ...LIFETIME_SHAPES, 'failed-delivery_unknown'].includes(shape);
      assert.equal(closes, closing ? 1 : 0, `${h.workflowId}: closeSend local activity markers`);
      assert.equal(closedAs(h), CANCELLED_SHAPES.includes(shape) || shape === 'wait-cancelled' ? 'canceled' : 'completed', h.workflowId);
    }
    const h = (shape: string) => shapes(SINCE_RUN_2026_12, [shape])[0];
    const word = "Wait for SendGrid's word on welcome-email";
    for (const shape of WORD_AWAITED) assert.ok(timerSummaries(h(shape)).includes(word), `${shape}: no wait for the word`);
    for (const shape of CAMPAIGN_RUN_SHAPES) assert.ok(!timerSummaries(h(shape)).includes(word), shape);
    const confirmed = h('word-confirmed');
    assert.ok(emailEventSignals(confirmed) >= 1, "SendGrid's word came as a signal");
    assert.ok(localActivityMarkers(confirmed).includes('readSend'), 'the signal made the run read the ledger');
    assert.equal(timerFired(confirmed), false, 'the word ended the wait before its deadline');
    assert.equal(timerFired(h('failed-delivery_unknown')), true, 'silence: the wait ran to its deadline');
    const sends = (x: HistoryAndWorkflowId) => scheduledActivities(x).filter((t) => t === 'sendEmail').length;
    assert.equal(sends(h('resent-possible_duplicate')), 2, 'silence under resend: sent again');
    assert.equal(sends(h('failed-delivery_unknown')), 1, 'silence under hold: not sent again');
    assert.equal(sends(h('ids-only-input')), 1);
  });

  it('the split shapes recorded their variant: A sends its e-mail, B sets its tag, control runs nothing, target sends', () => {
    const h = (shape: string) => shapes(SINCE_RUN_2026_12, [shape])[0];
    const flowRecords = (x: HistoryAndWorkflowId) => localActivityMarkers(x).filter((t) => t === 'recordFlow').length;
    for (const shape of SPLIT_SHAPES) assert.equal(flowRecords(h(shape)), 1, `${shape}: one flow record`);
    assert.deepEqual(scheduledActivities(h('split-variant-a')), ['sendEmail']);
    assert.deepEqual(scheduledActivities(h('split-variant-b')), []);
    assert.ok(localActivityMarkers(h('split-variant-b')).includes('setTag'));
    assert.deepEqual(scheduledActivities(h('control-group-control')), []);
    assert.deepEqual(localActivityMarkers(h('control-group-control')), ['prepareRun', 'recordFlow']);
    assert.deepEqual(scheduledActivities(h('control-group-target')), ['sendEmail']);
  });

  it('runs recorded before set-tag-local-activity have no marker and run Set tag as a normal activity', () => {
    for (const h of campaignRuns(BEFORE_SET_TAG_LOCAL)) {
      assert.deepEqual(patchMarkers(h), [], h.workflowId);
      assert.deepEqual(localActivityMarkers(h), [], h.workflowId);
      assert.ok(scheduledActivities(h).includes('setTag'), h.workflowId);
    }
  });

  describe('the guard bites', () => {
    // The richest shape of each generation: Send e-mail, its two child tags and the sibling root tag.
    const sent = () => GENERATIONS.flatMap(([g]) => shapes(g, ['sent-with-children']));

    it('an extra activity before Send e-mail fails to replay, naming the history', async () => {
      const report = await replayHistories(sent(), { workflowBundle: await bundleVariant('extraActivity') });
      assertNondeterminism(report, GENERATIONS.length, named(sent()));
    });

    it('the same change behind patched() replays', async () => {
      const runs = GENERATIONS.flatMap(([g]) => campaignRuns(g));
      const report = await replayHistories(runs, { workflowBundle: await bundleVariant('extraActivityPatched') });
      assert.deepEqual(report.failures, [], report.failures.map((f) => `${f.name}: ${f.error}`).join('\n'));
      assert.equal(
        report.replayed,
        GENERATIONS.reduce((n, [, runShapes]) => n + runShapes.length, 0),
      );
    });

    it('making sibling actions sequential fails to replay, naming the history', async () => {
      const report = await replayHistories(sent(), { workflowBundle: await bundleVariant('sequentialSiblings') });
      assertNondeterminism(report, GENERATIONS.length, named(sent()));
    });

    it("changing set-tag-local-activity's patched branch fails every run recorded since the patch, and only those", async () => {
      const before = campaignRuns(BEFORE_SET_TAG_LOCAL);
      const since = [...campaignRuns(SINCE_SET_TAG_LOCAL), ...campaignRuns(SINCE_SEND_GUARANTEES)];
      assert.ok(since.length > 0, 'no committed history took the patched branch');
      const report = await replayHistories([...before, ...since], { workflowBundle: await bundleVariant('setTagActivityWhenPatched') });
      assertNondeterminism(report, before.length + since.length, named(since));
    });

    // The send guarantees' branches: each variant changes one of them (test/replay/variants/sendEmailChanged.ts) and is
    // replayed against every committed history, of every workflow type and generation. Exactly the runs that took the
    // changed branch fail; all the others replay, which also shows the variant's copy of the handler is faithful.
    // Since run-2026-12 a send cancelled on the wire waits for SendGrid's answer and is sent: only the one cancelled
    // between attempts takes the cancelled branch.
    const cancelledRuns = () => [
      ...WITH_SEND_GUARANTEES.flatMap((g) => shapes(g, CANCELLED_SHAPES)),
      ...shapes(SINCE_RUN_2026_12, CLOSED_WHEN_CANCELLED),
    ];
    const cancelledCount = WITH_SEND_GUARANTEES.length * CANCELLED_SHAPES.length + CLOSED_WHEN_CANCELLED.length;
    const lifetimeRuns = () => [SINCE_RUN_2026_12, ...WITH_SEND_GUARANTEES].flatMap((g) => shapes(g, LIFETIME_SHAPES));

    it('swallowing the cancellation (the code before cancellation-ends-run) fails the cancelled runs, and only those', async () => {
      assert.equal(cancelledRuns().length, cancelledCount, 'no committed history was cancelled');
      const report = await replayHistories(histories, { workflowBundle: await bundleVariant('cancellationSwallowed') });
      assertNondeterminism(report, histories.length, named(cancelledRuns()));
    });

    it("ending Cancelled without cancellation-ends-run's closeSend fails the cancelled runs, and only those", async () => {
      assert.equal(cancelledRuns().length, cancelledCount, 'no committed history was cancelled');
      const report = await replayHistories(histories, { workflowBundle: await bundleVariant('cancelledWithoutClose') });
      assertNondeterminism(report, histories.length, named(cancelledRuns()));
    });

    it("a check deaf to the service's signals fails the runs a signal woke while they waited, and only those", async () => {
      const woken = [SINCE_CHECK, SINCE_RUN_2026_12].flatMap((g) => shapes(g, CHECKS_WOKEN));
      assert.equal(woken.length, 2 * CHECKS_WOKEN.length);
      const report = await replayHistories(histories, { workflowBundle: await bundleVariant('checkDeafToSignals') });
      assertNondeterminism(report, histories.length, named(woken));
    });

    it("not waiting for SendGrid's word fails the runs of run-2026-12 that waited for it, and only those", async () => {
      const waited = shapes(SINCE_RUN_2026_12, WORD_AWAITED);
      assert.equal(waited.length, WORD_AWAITED.length);
      const report = await replayHistories(histories, { workflowBundle: await bundleVariant('wordNotAwaited') });
      assertNondeterminism(report, histories.length, named(waited));
    });

    // The assignment is computed on replay from the run's input: weights changed (or any change to the function) that
    // move the customer to another variant make the replay take other commands than the history holds.
    it("a split's assignment cannot change on replay: its weights changed in the input fail the history, unchanged it replays", async () => {
      const A = `${SINCE_RUN_2026_12}campaignRun/split-variant-a.json`;
      const control = `${SINCE_RUN_2026_12}campaignRun/control-group-control.json`;
      const recorded = inputOf(HISTORIES, A);
      const node = recorded.actions![0];
      const key = { campaignId: recorded.campaignId, actionId: node.id, customerId: recorded.customerId };
      assert.equal(assignVariant(node.split!.variants, key)!.name, 'A', 'the recorded customer took A');
      // 1 % for A: this customer (whose bucket is past the first 100, checked here) now falls in B.
      const reweigh = (i: typeof recorded) => {
        i.actions![0].split!.variants[0].weight = 1;
        i.actions![0].split!.variants[1].weight = 99;
      };
      const tampered = withInput(HISTORIES, A, reweigh);
      const changed = structuredClone(recorded);
      reweigh(changed);
      assert.equal(assignVariant(changed.actions![0].split!.variants, key)!.name, 'B', 'the change moves the customer');
      // A control group of 0 %: the control member would now be in target.
      const noControl = withInput(HISTORIES, control, (i) => {
        i.actions![0].split!.variants[0].weight = 0;
        i.actions![0].split!.variants[1].weight = 100;
      });
      const report = await replayHistories([tampered, noControl], { workflowBundle: testEnv().workflowBundle });
      assertNondeterminism(report, 2, [A, control]);
      const untouched = await replayHistories([withInput(HISTORIES, A, () => {})], { workflowBundle: testEnv().workflowBundle });
      assert.deepEqual(untouched.failures, [], 'the re-encoded input alone changes nothing');
    });

    it("leaving out record-lifetime-expiry's closeSend fails the run whose lifetime ran out, and only that", async () => {
      assert.equal(
        lifetimeRuns().length,
        (WITH_SEND_GUARANTEES.length + 1) * LIFETIME_SHAPES.length,
        'no committed history ran out of lifetime',
      );
      const report = await replayHistories(histories, { workflowBundle: await bundleVariant('lifetimeNotClosed') });
      assertNondeterminism(report, histories.length, named(lifetimeRuns()));
    });
  });
});
