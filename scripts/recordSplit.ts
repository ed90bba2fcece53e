// Part of recordHistories.ts: the shapes Split and Control group added (generation run-2026-12). A split whose variant A
// sends an e-mail and whose variant B sets a tag, recorded once for a customer of each; a control group of 50 % whose
// target gets an e-mail, once for a member of each group. The customers are chosen by the assignment itself, and each
// run is checked before it is saved: a history that does not show its variant is refused.
import { assignVariant, campaignRunWorkflowId, type SplitVariant } from '../src/contract';
import { importLines, runToEnd, type RunningWorker } from '../test/support/harness';
import { emailSettings, storeDoc } from '../test/support/campaigns';

type Save = (kind: string, name: string, workflowId: string) => Promise<void>;

/** The split of the recorded histories (test/replay/replay.test.ts tampers its weights). */
export const SPLIT_CAMPAIGN_ID = 'replay-split';
export const SPLIT_VARIANTS: SplitVariant[] = [
  { name: 'A', weight: 50, children: ['mail-a'] },
  { name: 'B', weight: 50, children: ['tag-b'] },
];
const CONTROL_CAMPAIGN_ID = 'replay-control';
const GROUPS: SplitVariant[] = [
  { name: 'control', weight: 50, children: [] },
  { name: 'target', weight: 50, children: ['offer'] },
];

/** The first of r-<prefix>-1, -2, ... whom the assignment puts in `variant`. */
function customerIn(variants: SplitVariant[], campaignId: string, actionId: string, variant: string, prefix: string): string {
  for (let i = 1; ; i++) {
    const customerId = `r-${prefix}-${i}`;
    if (assignVariant(variants, { campaignId, actionId, customerId })!.name === variant) return customerId;
  }
}

export async function recordSplitRuns(w: RunningWorker, save: Save): Promise<void> {
  const split = await storeDoc({
    id: SPLIT_CAMPAIGN_ID,
    name: 'Replay split fixture',
    actions: [
      {
        id: 'subject-test',
        type: 'split',
        settings: { variants: SPLIT_VARIANTS },
        children: [
          { id: 'mail-a', type: 'sendEmail', settings: emailSettings({ categoryCode: 'news', subject: 'A' }), children: [] },
          { id: 'tag-b', type: 'setTag', settings: { tag: 'variant-b' }, children: [] },
        ],
      },
    ],
  });
  const control = await storeDoc({
    id: CONTROL_CAMPAIGN_ID,
    name: 'Replay control group fixture',
    actions: [
      {
        id: 'holdout',
        type: 'controlGroup',
        settings: { percent: 50, target: ['offer'] },
        children: [{ id: 'offer', type: 'sendEmail', settings: emailSettings({ categoryCode: 'news' }), children: [] }],
      },
    ],
  });
  const cases: [string, typeof split, string, SplitVariant[], string][] = [
    ['split-variant-a', split, 'subject-test', SPLIT_VARIANTS, 'A'],
    ['split-variant-b', split, 'subject-test', SPLIT_VARIANTS, 'B'],
    ['control-group-control', control, 'holdout', GROUPS, 'control'],
    ['control-group-target', control, 'holdout', GROUPS, 'target'],
  ];
  for (const [name, stored, actionId, variants, variant] of cases) {
    const customerId = customerIn(variants, stored.campaign.id, actionId, variant, name);
    await importLines([{ id: customerId, email: `${customerId}@example.com`, emailSubscribed: true, categories: { news: true } }]);
    const result = await runToEnd(w, stored, customerId);
    const decided = result.actions.find((a) => a.actionId === actionId)?.outcome;
    if (decided?.status !== 'done' || decided.variant !== variant)
      throw new Error(`${name}: the run did not take variant ${variant} (got ${JSON.stringify(decided)}); nothing saved`);
    await save('campaignRun', name, campaignRunWorkflowId(stored.campaign.id, customerId));
  }
}
