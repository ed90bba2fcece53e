// Split and Control group end to end: a real worker and Temporal server, Postgres and the SendGrid fake. Each customer
// gets exactly the e-mail of the variant assignVariant gives them; the run's result, the Variant search attribute (as
// visibility answers `Variant = "B"`) and the flow log agree; a second run of the same customer takes the same variant
// (and sends nothing twice);
// the control group of a Control group gets nothing.
import assert from 'node:assert/strict';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import {
  assignVariant,
  campaignRunWorkflowId,
  WorkflowTypes,
  type CampaignRunResult,
  type CampaignRunWorkflow,
  type SplitVariant,
} from '../../src/contract';
import { campaignReport } from '../../src/report/campaignReport';
import { testEnv } from '../support/env';
import { acceptedFor, eventually, startRun, uid, useWorker } from '../support/harness';
import { emailSettings, storeDoc } from '../support/campaigns';
import { customers } from '../support/customers';

const mail = (id: string, subject: string) => ({ id, type: 'sendEmail', settings: emailSettings({ subject }), children: [] });
const variantOf = (r: CampaignRunResult, id: string) => {
  const o = r.actions.find((a) => a.actionId === id)!.outcome;
  return o.status === 'done' ? o.variant : undefined;
};

async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of testEnv().client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids.sort();
}

describe('Split and Control group (end to end: worker, server, Postgres, fake)', function () {
  const w = useWorker();

  it("a split of two e-mails: each customer gets its variant's e-mail only; result, Variant, flow log and report agree; a re-run takes the same variant", async function () {
    this.timeout(180_000);
    const variants: SplitVariant[] = [
      { name: 'A', weight: 50, children: ['mail-a'] },
      { name: 'B', weight: 50, children: ['mail-b'] },
    ];
    const stored = await storeDoc({
      id: uid('split'),
      name: 'Subject test',
      actions: [{ id: 'ab', type: 'split', settings: { variants }, children: [mail('mail-a', 'Subject A'), mail('mail-b', 'Subject B')] }],
    });
    const campaignId = stored.campaign.id;
    const ids = await customers(40, {}, 'spl');
    const handles = await Promise.all(ids.map((id) => startRun(w, stored, id)));
    const results = await Promise.all(handles.map((h) => h.result()));
    const want = new Map(ids.map((id) => [id, assignVariant(variants, { campaignId, actionId: 'ab', customerId: id })!.name]));
    for (const [i, id] of ids.entries()) {
      assert.equal(variantOf(results[i], 'ab'), want.get(id), id);
      const got = acceptedFor(`${id}@example.com`).map((m) => m.body.subject);
      assert.deepEqual(got, [`Subject ${want.get(id)}`], `${id} got exactly the e-mail of variant ${want.get(id)}`);
      const other = want.get(id) === 'A' ? 'mail-b' : 'mail-a';
      assert.equal(results[i].actions.find((a) => a.actionId === other)!.outcome.status, 'not_run');
    }
    const bs = ids.filter((id) => want.get(id) === 'B');
    assert.ok(bs.length > 0 && bs.length < ids.length, `both variants taken (B: ${bs.length} of ${ids.length})`);

    // Visibility: `Variant = "B"` finds exactly the B runs (eventually: visibility lags).
    const expected = bs.map((id) => campaignRunWorkflowId(campaignId, id)).sort();
    const found = await eventually(
      () => listIds(`CampaignId="${campaignId}" AND Variant="B"`),
      (l) => l.length === expected.length,
      30_000,
    );
    assert.deepEqual(found, expected);

    // The flow log: one row per customer, outcome the variant, reached_at when they entered it.
    const rows = await testEnv()
      .db('flow_log')
      .where({ campaign_id: campaignId })
      .select('customer_id', 'action_id', 'action_type', 'outcome', 'reached_at');
    assert.equal(rows.length, ids.length);
    for (const r of rows) {
      assert.deepEqual([r.action_id, r.action_type, r.outcome], ['ab', 'split', want.get(r.customer_id)]);
      assert.ok(r.reached_at instanceof Date);
    }
    const report = await campaignReport(testEnv().db, campaignId);
    const flow = report.flow.find((f) => f.actionId === 'ab')!;
    assert.deepEqual(flow.branches, { A: ids.length - bs.length, B: bs.length });
    // The report's figures per variant read the same rows: each variant reached and sent to its own customers.
    const figures = report.splits?.find((f) => f.actionId === 'ab');
    assert.deepEqual(
      figures?.variants.map((v) => [v.name, v.customersReached, v.sent]),
      [
        ['A', ids.length - bs.length, ids.length - bs.length],
        ['B', bs.length, bs.length],
      ],
    );

    // A second run of the same customers (under the same workflow id once the first closed, as an operator re-running
    // them would start it): the same variant; the send ledger keeps the e-mail from going out twice.
    for (const id of ids.slice(0, 4)) {
      const again = await testEnv().client.workflow.execute<CampaignRunWorkflow>(WorkflowTypes.campaignRun, {
        taskQueue: w.taskQueue,
        workflowId: campaignRunWorkflowId(campaignId, id),
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        args: [{ campaignId, campaignVersion: stored.version, customerId: id }],
      });
      assert.equal(variantOf(again, 'ab'), want.get(id), `${id} again`);
      assert.deepEqual(
        acceptedFor(`${id}@example.com`).map((m) => m.body.subject),
        [`Subject ${want.get(id)}`],
      );
    }
  });

  it('a control group of 50 %: control members get nothing, target members their e-mail; Variant and flow log say which', async function () {
    this.timeout(180_000);
    const stored = await storeDoc({
      id: uid('cg'),
      name: 'Holdout',
      actions: [{ id: 'cg', type: 'controlGroup', settings: { percent: 50, target: ['offer'] }, children: [mail('offer', 'Offer')] }],
    });
    const campaignId = stored.campaign.id;
    const ids = await customers(30, {}, 'cg');
    const results = await Promise.all(ids.map(async (id) => (await startRun(w, stored, id)).result()));
    const groups: SplitVariant[] = [
      { name: 'control', weight: 50, children: [] },
      { name: 'target', weight: 50, children: ['offer'] },
    ];
    const control = ids.filter((id) => assignVariant(groups, { campaignId, actionId: 'cg', customerId: id })!.name === 'control');
    assert.ok(control.length > 0 && control.length < ids.length, `both groups taken (control: ${control.length})`);
    for (const [i, id] of ids.entries()) {
      const inControl = control.includes(id);
      assert.equal(variantOf(results[i], 'cg'), inControl ? 'control' : 'target');
      assert.equal(acceptedFor(`${id}@example.com`).length, inControl ? 0 : 1, id);
    }
    const rows = await testEnv().db('flow_log').where({ campaign_id: campaignId }).select('customer_id', 'action_type', 'outcome');
    assert.equal(rows.length, ids.length);
    for (const r of rows)
      assert.deepEqual([r.action_type, r.outcome], ['controlGroup', control.includes(r.customer_id) ? 'control' : 'target']);
    const found = await eventually(
      () => listIds(`CampaignId="${campaignId}" AND Variant="control"`),
      (l) => l.length === control.length,
      30_000,
    );
    assert.deepEqual(found, control.map((id) => campaignRunWorkflowId(campaignId, id)).sort());
  });
});
