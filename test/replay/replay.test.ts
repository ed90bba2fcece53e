// Every committed history must replay against the current workflow code with the production bundle options. A
// determinism error fails the suite and names the history file.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadHistoryFiles, replayHistories, type ReplayReport } from '../../src/replay/replay';
import { workflowBundleOptions } from '../../src/temporal/workerShared';
import { testEnv } from '../support/env';
import { localActivityMarkers, patchMarkers, scheduledActivities, workflowType } from './historyEvents';

const HISTORIES = path.resolve(__dirname, '..', '..', '..', 'test', 'histories');

// Each recording is a generation in its own folder (README, "Replay tests", runbook step 3); all of them must replay.
/** The first recording, made before the set-tag-local-activity patch: Set tag is a normal activity. */
const BEFORE_SET_TAG_LOCAL = '';
/** Recorded since the patch: Set tag is a local activity, behind the patch's marker. */
const SINCE_SET_TAG_LOCAL = '2026-11-27-set-tag-local-activity/';
/** The patch id in src/workflows/actions/setTag.ts (tests do not import workflow code; the variants do). */
const SET_TAG_LOCAL = 'set-tag-local-activity';

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
const LAUNCH_SHAPES = ['first-run-continues-as-new', 'last-run-completes'];

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

  it('has a history for every recorded shape', () => {
    const names = named(histories);
    // The launcher's commands did not change between the generations; its input did (maxInFlight).
    const expected = [BEFORE_SET_TAG_LOCAL, SINCE_SET_TAG_LOCAL].flatMap((g) => [
      ...CAMPAIGN_RUN_SHAPES.map((s) => `${g}campaignRun/${s}.json`),
      ...LAUNCH_SHAPES.map((s) => `${g}launchCampaign/${s}.json`),
    ]);
    for (const shape of expected) assert.ok(names.includes(shape), `missing ${shape}`);
  });

  it('replays every committed history against the current workflow code', async () => {
    const report = await replayHistories(histories, { workflowBundle: testEnv().workflowBundle });
    assert.equal(report.replayed, histories.length);
    assert.deepEqual(report.failures, [], report.failures.map((f) => `${f.name}: ${f.error}`).join('\n'));
  });

  it('runs recorded since set-tag-local-activity took its patched branch: the marker, and Set tag as a local activity', () => {
    const runs = campaignRuns(SINCE_SET_TAG_LOCAL);
    assert.equal(runs.length, CAMPAIGN_RUN_SHAPES.length);
    for (const h of runs) {
      // Every shape runs Set tag (the fixture's sibling root "tag-entered"), so every run consulted the patch.
      assert.deepEqual(patchMarkers(h), [SET_TAG_LOCAL], h.workflowId);
      assert.ok(localActivityMarkers(h).includes('setTag'), `${h.workflowId}: no setTag local activity marker`);
      assert.ok(!scheduledActivities(h).includes('setTag'), `${h.workflowId}: setTag scheduled as a normal activity`);
    }
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
    const sent = () =>
      histories.filter((h) =>
        [BEFORE_SET_TAG_LOCAL, SINCE_SET_TAG_LOCAL].some((g) => h.workflowId === `${g}campaignRun/sent-with-children.json`),
      );

    it('an extra activity before Send e-mail fails to replay, naming the history', async () => {
      const report = await replayHistories(sent(), { workflowBundle: await bundleVariant('extraActivity') });
      assertNondeterminism(report, 2, named(sent()));
    });

    it('the same change behind patched() replays', async () => {
      const runs = [...campaignRuns(BEFORE_SET_TAG_LOCAL), ...campaignRuns(SINCE_SET_TAG_LOCAL)];
      const report = await replayHistories(runs, { workflowBundle: await bundleVariant('extraActivityPatched') });
      assert.deepEqual(report.failures, [], report.failures.map((f) => `${f.name}: ${f.error}`).join('\n'));
      assert.equal(report.replayed, 2 * CAMPAIGN_RUN_SHAPES.length);
    });

    it('making sibling actions sequential fails to replay, naming the history', async () => {
      const report = await replayHistories(sent(), { workflowBundle: await bundleVariant('sequentialSiblings') });
      assertNondeterminism(report, 2, named(sent()));
    });

    it("changing set-tag-local-activity's patched branch fails every run recorded since the patch, and only those", async () => {
      const before = campaignRuns(BEFORE_SET_TAG_LOCAL);
      const since = campaignRuns(SINCE_SET_TAG_LOCAL);
      assert.ok(since.length > 0, 'no committed history took the patched branch');
      const report = await replayHistories([...before, ...since], { workflowBundle: await bundleVariant('setTagActivityWhenPatched') });
      assertNondeterminism(report, before.length + since.length, named(since));
    });
  });
});
