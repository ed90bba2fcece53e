// Every committed history must replay against the current workflow code with the production bundle options. A
// determinism error fails the suite and names the history file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadHistoryFiles, replayHistories } from '../../src/replay/replay';
import { workflowInterceptorModules } from '../../src/temporal/workerShared';
import { testEnv } from '../support/env';

const HISTORIES = path.resolve(__dirname, '..', '..', '..', 'test', 'histories');

async function bundleVariant(name: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve(`./variants/${name}`),
    workflowInterceptorModules,
    logger: new DefaultLogger('WARN'),
  });
}

describe('replay of committed histories', function () {
  const histories = loadHistoryFiles(HISTORIES);

  it('has a history for every recorded shape', () => {
    const names = histories.map((h) => h.workflowId);
    for (const shape of [
      'campaignRun/sent-with-children.json',
      'campaignRun/skipped-email_channel_unsubscribed.json',
      'campaignRun/skipped-email_missing.json',
      'campaignRun/skipped-email_invalid.json',
      'campaignRun/skipped-category_unsubscribed.json',
      'campaignRun/skipped-customer_not_found.json',
      'campaignRun/failed-on-400.json',
      'campaignRun/retried-after-429.json',
      'launchCampaign/first-run-continues-as-new.json',
      'launchCampaign/last-run-completes.json',
    ]) {
      assert.ok(names.includes(shape), `missing ${shape}`);
    }
  });

  it('replays every committed history against the current workflow code', async () => {
    const report = await replayHistories(histories, { workflowBundle: testEnv().workflowBundle });
    assert.equal(report.replayed, histories.length);
    assert.deepEqual(report.failures, [], report.failures.map((f) => `${f.name}: ${f.error}`).join('\n'));
  });

  describe('the guard bites', () => {
    const sent = () => histories.filter((h) => h.workflowId === 'campaignRun/sent-with-children.json');

    it('an extra activity before Send e-mail fails to replay, naming the history', async () => {
      const report = await replayHistories(sent(), { workflowBundle: await bundleVariant('extraActivity') });
      assert.equal(report.failures.length, 1);
      assert.equal(report.failures[0].name, 'campaignRun/sent-with-children.json');
      assert.match(report.failures[0].error, /DeterminismViolation|Nondeterminism|nondeterminism/i);
    });

    it('the same change behind patched() replays', async () => {
      const runs = histories.filter((h) => h.workflowId.startsWith('campaignRun/'));
      const report = await replayHistories(runs, { workflowBundle: await bundleVariant('extraActivityPatched') });
      assert.deepEqual(report.failures, []);
      assert.equal(report.replayed, runs.length);
    });

    it('making sibling actions sequential fails to replay', async () => {
      const report = await replayHistories(sent(), { workflowBundle: await bundleVariant('sequentialSiblings') });
      assert.equal(report.failures.length, 1);
    });
  });
});
