// Split and Control group in the campaignRun workflow, on the real dev server and the production worker assembly, with
// the tags and the report's record stubbed: the variant is assignVariant's for the campaign, action and customer; only
// its children run; the result, the Variant search attribute (a list over several splits) and one flow record agree.
import assert from 'node:assert/strict';
import {
  assignVariant,
  campaignRunWorkflowId,
  VariantKey,
  WorkflowTypes,
  type ActionNode,
  type CampaignRunInput,
  type CampaignRunResult,
  type CampaignRunWorkflow,
  type FlowRecordInput,
  type SplitVariant,
} from '../../src/contract';
import { testEnv } from '../support/env';
import { prepareRunAsGiven, startWorker, uid, type RunningWorker } from '../support/harness';

const tag = (id: string): ActionNode => ({ id, type: 'setTag', children: [] });
const VARIANTS: SplitVariant[] = [
  { name: 'A', weight: 30, children: ['tag-a'] },
  { name: 'B', weight: 50, children: ['tag-b1', 'tag-b2'] },
  { name: 'none', weight: 20, children: [] },
];
const splitNode = (id: string, variants: SplitVariant[], type = 'split'): ActionNode => ({
  id,
  type,
  children: variants.flatMap((v) => v.children).map(tag),
  split: { variants },
});
const ran = (r: CampaignRunResult) => r.actions.filter((a) => a.outcome.status !== 'not_run').map((a) => a.actionId);
const outcomeOf = (r: CampaignRunResult, id: string) => r.actions.find((a) => a.actionId === id)!.outcome;

describe('campaignRun: Split and Control group (stubbed activities)', function () {
  const flow = new Map<string, FlowRecordInput[]>();
  let w: RunningWorker;

  before(async () => {
    w = await startWorker({
      activityOverrides: {
        prepareRun: prepareRunAsGiven,
        setTag: async () => ({ status: 'done' as const, applied: true }),
        recordFlow: async (i: FlowRecordInput) => void flow.set(i.runKey, [...(flow.get(i.runKey) ?? []), i]),
      } as Record<string, (...a: never[]) => Promise<unknown>>,
    });
  });
  after(async () => w?.stop());

  async function run(actions: ActionNode[], campaignId = uid('split'), customerId = uid('c')) {
    const workflowId = campaignRunWorkflowId(campaignId, customerId);
    const input: CampaignRunInput = { campaignId, campaignVersion: 1, customerId, actions };
    const handle = await testEnv().client.workflow.start<CampaignRunWorkflow>(WorkflowTypes.campaignRun, {
      taskQueue: w.taskQueue,
      workflowId,
      args: [input],
    });
    return { handle, workflowId, campaignId, customerId, result: await handle.result() };
  }

  it("each customer takes assignVariant's variant: its children run, no other's; result, Variant and flow record agree", async function () {
    this.timeout(120_000);
    const campaignId = uid('split');
    const seen = new Set<string>();
    // Enough customers that each of the three variants is taken (shares 30/50/20).
    for (let i = 0; i < 16; i++) {
      const customerId = `cust-${i}`;
      const r = await run([splitNode('ab', VARIANTS)], campaignId, customerId);
      const want = assignVariant(VARIANTS, { campaignId, actionId: 'ab', customerId })!;
      seen.add(want.name);
      assert.deepEqual(outcomeOf(r.result, 'ab'), { status: 'done', variant: want.name });
      assert.deepEqual(ran(r.result), ['ab', ...want.children], customerId);
      assert.equal((await r.handle.describe()).typedSearchAttributes.get(VariantKey), want.name);
      const records = flow.get(r.workflowId)!;
      assert.equal(records.length, 1, 'one flow record');
      assert.deepEqual(
        {
          outcome: records[0].outcome,
          actionType: records[0].actionType,
          actionId: records[0].actionId,
          customerId: records[0].customerId,
        },
        { outcome: want.name, actionType: 'split', actionId: 'ab', customerId },
      );
    }
    assert.deepEqual([...seen].sort(), ['A', 'B', 'none'], 'every variant was taken by someone');
  });

  it('several splits in one run: each decides; Variant holds one of their variants; a split under a split runs only in its branch', async function () {
    this.timeout(60_000);
    const inner = splitNode('inner', [
      { name: 'x', weight: 50, children: [] },
      { name: 'y', weight: 50, children: [] },
    ]);
    const outer: ActionNode = {
      id: 'outer',
      type: 'split',
      children: [inner, tag('t')],
      split: {
        variants: [
          { name: 'in', weight: 99, children: ['inner'] },
          { name: 'out', weight: 1, children: ['t'] },
        ],
      },
    };
    const ctl = splitNode('ctl', [
      { name: 'control', weight: 0, children: [] },
      { name: 'target', weight: 100, children: [] },
    ]);
    ctl.type = 'controlGroup';
    const r = await run([outer, ctl]);
    const outerV = assignVariant(outer.split!.variants, { campaignId: r.campaignId, actionId: 'outer', customerId: r.customerId })!.name;
    const innerV = assignVariant(inner.split!.variants, { campaignId: r.campaignId, actionId: 'inner', customerId: r.customerId })!.name;
    const decided = outerV === 'in' ? [outerV, innerV, 'target'] : [outerV, 'target'];
    assert.ok(decided.includes((await r.handle.describe()).typedSearchAttributes.get(VariantKey)!));
    assert.deepEqual(outcomeOf(r.result, 'ctl'), { status: 'done', variant: 'target' });
    assert.equal(flow.get(r.workflowId)!.find((f) => f.actionId === 'ctl')!.actionType, 'controlGroup');
    assert.equal(outcomeOf(r.result, 'inner').status, outerV === 'in' ? 'done' : 'not_run');
  });

  it('a control group of 0 % sends everyone to target; one of 50 % keeps control members from the target children', async function () {
    this.timeout(60_000);
    const campaignId = uid('cg');
    for (let i = 0; i < 6; i++) {
      const customerId = `cust-${i}`;
      const cg = (percent: number) =>
        splitNode(
          'cg',
          [
            { name: 'control', weight: percent, children: [] },
            { name: 'target', weight: 100 - percent, children: ['offer'] },
          ],
          'controlGroup',
        );
      const zero = await run([cg(0)], campaignId, `${customerId}-0`);
      assert.deepEqual(ran(zero.result), ['cg', 'offer']);
      const half = await run([cg(50)], campaignId, customerId);
      const want = assignVariant(cg(50).split!.variants, { campaignId, actionId: 'cg', customerId })!.name;
      assert.deepEqual(ran(half.result), want === 'control' ? ['cg'] : ['cg', 'offer']);
      assert.deepEqual(outcomeOf(half.result, 'cg'), { status: 'done', variant: want });
    }
  });

  it('a node without variants fails the action, not the run', async () => {
    const r = await run([{ id: 'ab', type: 'split', children: [tag('t')] }]);
    assert.equal(outcomeOf(r.result, 'ab').status, 'failed');
    assert.deepEqual(ran(r.result), ['ab']);
  });
});
