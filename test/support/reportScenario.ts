// A campaign run for real, whose report has something in every part of the picture: launched through the CLI to six
// customers (one clicks, one opens, one bounces; three are skipped, one per SmartCom group), a Check e-mail status that
// sends a reminder on two of its branches, and ids whose alphabetical order is not the tree's. Used by the e2e test of
// `report --html` and by the browser test.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { campaignReport } from '../../src/report/campaignReport';
import { runCli } from './cli';
import { testEnv } from './env';
import { eventually, importLines, seedCategories, uid, type RunningWorker } from './harness';
import { emailSettings, storeDoc } from './campaigns';

export interface ReportScenario {
  campaignId: string;
  /** the CLI's environment for this worker's queues */
  queues: { TASK_QUEUE: string; LAUNCH_TASK_QUEUE: string };
}

/** The tree: z-mail -> m-check -> (b-tag on clicked | a-mail otherwise). */
function campaign(id: string) {
  return {
    id,
    name: `Report <picture> & "${id}"`,
    actions: [
      {
        id: 'z-mail',
        type: 'sendEmail',
        settings: emailSettings({ categoryCode: 'news', subject: 'Hello <b>{{ customer.firstName | default: "friend" }}</b>' }),
        children: [
          {
            id: 'm-check',
            type: 'checkEmailStatus',
            settings: {
              emailActionId: 'z-mail',
              waitUpTo: { seconds: 4 },
              branches: { 'b-tag': ['clicked'], 'a-mail': ['undelivered', 'delivered_not_opened', 'opened_not_clicked'] },
            },
            children: [
              { id: 'b-tag', type: 'setTag', settings: { tag: 'engaged' }, children: [] },
              { id: 'a-mail', type: 'sendEmail', settings: emailSettings({ subject: 'Did you see it?' }), children: [] },
            ],
          },
        ],
      },
    ],
  };
}

export async function runReportScenario(w: RunningWorker, dir: string): Promise<ReportScenario> {
  const env = testEnv();
  await seedCategories();
  const p = uid('rpt');
  const c = (k: string) => `${p}-${k}`;
  await importLines([
    { id: c('clicks'), email: `${c('clicks')}@example.com`, emailSubscribed: true },
    { id: c('opens'), email: `${c('opens')}@example.com`, emailSubscribed: true },
    { id: c('bounces'), email: `${c('bounces')}@example.com`, emailSubscribed: true },
    { id: c('nochannel'), email: `${c('nochannel')}@example.com`, emailSubscribed: false },
    { id: c('noaddress'), email: null, emailSubscribed: true },
    { id: c('nocategory'), email: `${c('nocategory')}@example.com`, emailSubscribed: true, categories: { news: false } },
  ]);
  env.fake.webhook.script({
    to: `${c('clicks')}@example.com`,
    steps: [{ event: 'delivered' }, { event: 'later', ms: 1000 }, { event: 'open' }, { event: 'click' }],
  });
  env.fake.webhook.script({ to: `${c('opens')}@example.com`, steps: [{ event: 'delivered' }, { event: 'open' }] });
  env.fake.webhook.script({
    to: `${c('bounces')}@example.com`,
    steps: [{ event: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist' }],
  });
  const stored = await storeDoc(campaign(uid('rptcamp')));
  const queues = { TASK_QUEUE: w.taskQueue, LAUNCH_TASK_QUEUE: w.launchTaskQueue };
  const ids = path.join(dir, `${p}.txt`);
  writeFileSync(ids, ['clicks', 'opens', 'bounces', 'nochannel', 'noaddress', 'nocategory'].map(c).join('\n'));
  const launched = await runCli(queues, 'launch', '--campaign', stored.campaign.id, '--customers-file', ids);
  assert.equal(launched.code, 0, launched.stderr);
  // The reminder's delivery is the last event: the figures are final once the service has stored it.
  await eventually(
    async () => (await campaignReport(env.db, stored.campaign.id)).actions.find((a) => a.actionId === 'a-mail')?.delivery.delivered,
    (n) => n === 1 && env.fake.webhook.pending() === 0,
  );
  return { campaignId: stored.campaign.id, queues };
}

/**
 * The scenario's figures by data-figure name, from what each customer did (not from the report): the e2e test finds
 * them in the picture.
 */
export const SCENARIO_FIGURES: Record<string, Record<string, number>> = {
  'z-mail': {
    reached: 6,
    sent: 3,
    delivered: 2,
    opened: 2,
    clicked: 1,
    hard: 1,
    unsubscribedFromChannel: 1,
    addressIssue: 1,
    unsubscribedFromCategory: 1,
  },
  'm-check': { reached: 3, 'branch:clicked': 1, 'branch:opened_not_clicked': 1, 'branch:undelivered': 1 },
  // the bounced address is invalid by the time the reminder goes: skipped for its address
  'a-mail': { reached: 2, sent: 1, delivered: 1, addressIssue: 1 },
};
