// Records one history per shape of the campaign workflows from real runs (own dev server, own database, the SendGrid
// fake) and writes them under test/histories/, where the replay test reads them. Run after a deliberate workflow change
// (see docs/operating.md, "Replay tests"): `npm run record-histories`. Only ids and example.com addresses appear in the data. The
// shapes of interrupted sends (cancellation, lifetime, lost answers, ...) are in recordSendGuarantees.ts, those of
// campaign timing (Wait, Wait until, the send window, the sends queue) in recordTiming.ts, those of Check e-mail status
// in recordCheckEmailStatus.ts, those of generation run-2026-12 (SendGrid's word, ids-only input, refused starts) in
// recordRunContract.ts, those of Split and Control group in recordSplit.ts. RECORD_ONLY=split records only those
// (a new action type's shapes, added to today's generation without running every other shape again).
// Existing files are kept: a history recorded by older code is exactly what new code must go on replaying. Set
// RECORD_DIR to write a new generation elsewhere (e.g. test/histories/<date>/).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/campaign_runner_record';

import { setUp, tearDown, testEnv } from '../test/support/env';
import { importLines, runToEnd, seedCategories, startWorker } from '../test/support/harness';
import { emailSettings, storeDoc } from '../test/support/campaigns';
import { campaignRunWorkflowId } from '../src/contract';
import { startLaunch } from '../src/runs/launch';
import type { SendEmailSettings } from '../src/actions/sendEmail/definition';
import { recordSendGuaranteeRuns } from './recordSendGuarantees';
import { recordCheckRuns } from './recordCheckEmailStatus';
import { recordTimingRuns } from './recordTiming';
import { recordRunContractRuns } from './recordRunContract';
import { recordSplitRuns } from './recordSplit';

const OUT = path.resolve(process.env.RECORD_DIR ?? path.resolve(__dirname, '..', '..', 'test', 'histories'));

async function save(kind: string, name: string, workflowId: string, runId?: string): Promise<void> {
  const history = await testEnv().client.workflow.getHandle(workflowId, runId).fetchHistory();
  const dir = path.join(OUT, kind);
  const file = path.join(dir, `${name}.json`);
  if (existsSync(file)) {
    console.log(`kept ${kind}/${name}.json (recorded earlier; delete it to record again)`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
  console.log(`recorded ${kind}/${name}.json (${history.events?.length} events)`);
}

async function recordCampaignRuns(): Promise<void> {
  await seedCategories();
  const w = await startWorker();
  if (process.env.RECORD_ONLY === 'split') {
    await recordSplitRuns(w, save).finally(() => w.stop());
    return;
  }
  try {
    await importLines([
      { id: 'r-sent', email: 'r-sent@example.com', emailSubscribed: true, categories: { news: true }, firstName: 'Ann' },
      { id: 'r-channel', email: 'r-channel@example.com', emailSubscribed: false, categories: { news: true } },
      { id: 'r-missing', email: null, emailSubscribed: true, categories: { news: true } },
      { id: 'r-invalid', email: 'r-invalid@example.com', emailQualityCode: 36, emailSubscribed: true, categories: { news: true } },
      { id: 'r-category', email: 'r-category@example.com', emailSubscribed: true, categories: { news: false } },
      { id: 'r-all', email: null, emailQualityCode: 30, emailSubscribed: false, categories: { news: false } },
      { id: 'r-400', email: 'r-400@example.com', emailSubscribed: true, categories: { news: true } },
      { id: 'r-429', email: 'r-429@example.com', emailSubscribed: true, categories: { news: true } },
    ]);
    // A root with two children under the e-mail and a sibling root: every ordering the walk can produce.
    const tree = (id: string, over: Partial<SendEmailSettings> = {}) => ({
      id,
      name: 'Replay fixture',
      actions: [
        {
          id: 'welcome-email',
          type: 'sendEmail',
          settings: emailSettings({ categoryCode: 'news', ...over }),
          children: [
            { id: 'tag-welcomed', type: 'setTag', settings: { tag: 'welcomed' }, children: [] },
            { id: 'tag-emailed', type: 'setTag', settings: { tag: 'emailed' }, children: [] },
          ],
        },
        { id: 'tag-entered', type: 'setTag', settings: { tag: 'entered' }, children: [] },
      ],
    });
    const main = await storeDoc(tree('replay-welcome'));
    const cases: [string, string][] = [
      ['sent-with-children', 'r-sent'],
      ['skipped-email_channel_unsubscribed', 'r-channel'],
      ['skipped-email_missing', 'r-missing'],
      ['skipped-email_invalid', 'r-invalid'],
      ['skipped-category_unsubscribed', 'r-category'],
      ['skipped-every-reason', 'r-all'],
      ['skipped-customer_not_found', 'r-ghost'],
    ];
    for (const [name, customer] of cases) {
      await runToEnd(w, main, customer);
      await save('campaignRun', name, campaignRunWorkflowId(main.campaign.id, customer));
    }
    testEnv().fake.injectFault({ kind: '429', to: 'r-429@example.com', resetInSeconds: 1 });
    await runToEnd(w, main, 'r-429');
    await save('campaignRun', 'retried-after-429', campaignRunWorkflowId(main.campaign.id, 'r-429'));
    // The subject renders empty for this customer, so SendGrid answers 400.
    const bad = await storeDoc(tree('replay-400', { subject: '{{ customer.attributes.headline }}' }));
    await runToEnd(w, bad, 'r-400');
    await save('campaignRun', 'failed-on-400', campaignRunWorkflowId(bad.campaign.id, 'r-400'));
    // Cancelled runs, the message lifetime running out, lost answers, a template that cannot render, a misconfiguration.
    await recordSendGuaranteeRuns(w, tree, save);

    // The launcher: 5 tagged customers, 2 per page, 2 pages per workflow run: one run that continues as new, one that
    // finishes.
    await importLines(
      ['l-1', 'l-2', 'l-3', 'l-4', 'l-5'].map((id) => ({ id, email: `${id}@example.com`, emailSubscribed: true, tags: ['replay-launch'] })),
    );
    const env = testEnv();
    const launch = await startLaunch({
      client: env.client,
      db: env.db,
      launchTaskQueue: w.launchTaskQueue,
      campaignId: main.campaign.id,
      campaignVersion: main.version,
      audience: { kind: 'tag', tag: 'replay-launch' },
      pageSize: 2,
      pagesPerRun: 2,
      launchId: 'replay',
    });
    await env.client.workflow.getHandle(launch.workflowId).result();
    await save('launchCampaign', 'first-run-continues-as-new', launch.workflowId, launch.firstRunId);
    await save('launchCampaign', 'last-run-completes', launch.workflowId);

    await recordTimingRuns(w, save);
    await recordCheckRuns(w, save);
    await recordRunContractRuns(tree, save);
    await recordSplitRuns(w, save);
  } finally {
    await w.stop();
  }
}

async function main(): Promise<void> {
  await setUp();
  try {
    await recordCampaignRuns();
  } finally {
    await tearDown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
