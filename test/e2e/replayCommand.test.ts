// `npm run replay -- --query ...` against a live server: passes for runs of this code, fails (exit 1, naming the run)
// for runs recorded by incompatible code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { campaignRunWorkflowId } from '../../src/contract';
import { workflowBundleOptions } from '../../src/temporal/workerShared';
import { testEnv } from '../support/env';
import { runToEnd, seedCategories, startWorker, visibleCount } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';
import { fromRoot } from '../support/paths';

const run = promisify(execFile);
const BIN = fromRoot('bin', 'campaign-runner.js');

async function replayCli(query: string): Promise<{ code: number; out: string }> {
  const env = testEnv();
  try {
    const { stdout, stderr } = await run('node', [BIN, 'replay', '--query', query], {
      env: { ...process.env, TEMPORAL_ADDRESS: env.temporalAddress },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err: any) {
    return { code: err.code, out: `${err.stdout}${err.stderr}` };
  }
}

describe('replay command against a live cluster', function () {
  before(seedCategories);

  it('replays runs made by this code and exits 0', async () => {
    const w = await startWorker();
    try {
      const { id } = await customer({}, 'rp');
      const stored = await emailCampaign();
      await runToEnd(w, stored, id);
      const query = `CampaignId="${stored.campaign.id}"`;
      assert.equal(await visibleCount(query, 1), 1);
      const r = await replayCli(query);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /replayed 1 histories, 0 failed/);
    } finally {
      await w.stop();
    }
  });

  it('fails with exit 1 and names the run when the history came from incompatible code', async () => {
    const variant = await startWorker({
      roles: ['runs'],
      workflowBundle: await bundleWorkflowCode({
        ...workflowBundleOptions({ workflowsPath: require.resolve('../replay/variants/extraActivity') }),
        logger: new DefaultLogger('WARN'),
      }),
      activityOverrides: { auditStart: async () => undefined },
    });
    try {
      const { id } = await customer({}, 'rp');
      const stored = await emailCampaign();
      await runToEnd(variant, stored, id);
      const query = `CampaignId="${stored.campaign.id}"`;
      assert.equal(await visibleCount(query, 1), 1);
      const r = await replayCli(query);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, new RegExp(`FAILED ${campaignRunWorkflowId(stored.campaign.id, id)} \\(run [\\w-]+\\): .*[Nn]ondeterminism`));
      assert.match(r.out, /replayed 1 histories, 1 failed/);
    } finally {
      await variant.stop();
    }
  });
});
