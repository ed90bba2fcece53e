// What an operator sees of a run: search attributes, summaries, current details and the progress query.
import assert from 'node:assert/strict';
import { campaignRunWorkflowId } from '../../src/contract';
import { progressQuery } from '../../src/contract';
import { testEnv } from '../support/env';
import { eventually, importLines, runToEnd, startRun, uid, useWorker } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';

describe('runs in Temporal Web (search attributes, summaries, progress)', function () {
  const w = useWorker();

  it('tags every run with CampaignId, CustomerId and its e-mail outcome, searchable together', async () => {
    const sent = uid('vis');
    const skipped = uid('vis');
    await importLines([
      { id: sent, email: `${sent}@example.com`, emailSubscribed: true },
      { id: skipped, email: null, emailSubscribed: false },
    ]);
    const stored = await emailCampaign();
    await runToEnd(w, stored, sent);
    await runToEnd(w, stored, skipped);
    const { client } = testEnv();
    const list = async (query: string) => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.sort();
    };
    const cid = stored.campaign.id;
    const skippedRuns = await eventually(
      () => list(`CampaignId="${cid}" AND EmailOutcome="skipped"`),
      (ids) => ids.length > 0,
    );
    assert.deepEqual(skippedRuns, [campaignRunWorkflowId(cid, skipped)]);
    assert.deepEqual(await list(`CampaignId="${cid}" AND EmailOutcome="sent"`), [campaignRunWorkflowId(cid, sent)]);
    assert.deepEqual(await list(`CampaignId="${cid}" AND SkipReasons="email_missing"`), [campaignRunWorkflowId(cid, skipped)]);
    assert.deepEqual(await list(`CustomerId="${sent}"`), [campaignRunWorkflowId(cid, sent)]);

    const desc = await client.workflow.getHandle(campaignRunWorkflowId(cid, skipped)).describe();
    assert.equal(await desc.staticSummary(), `Campaign ${cid}, customer ${skipped}`);
    const attrs = desc.typedSearchAttributes;
    assert.deepEqual(
      Object.fromEntries(
        attrs
          .getAll()
          .filter((p) => p.key.name !== 'BuildIds')
          .map((p) => [p.key.name, p.value]),
      ),
      {
        CampaignId: cid,
        CustomerId: skipped,
        EmailOutcome: ['skipped'],
        SkipReasons: ['email_channel_unsubscribed', 'email_missing'],
        // The SDK records every patch a run consults here: today's runs consult one (src/workflows/versions.ts).
        TemporalChangeVersion: ['run-2026-12'],
      },
    );
    // No address anywhere in what Temporal stores for the run.
    // Payloads are base64 in the history: decode them before looking.
    const raw = JSON.stringify(await client.workflow.getHandle(campaignRunWorkflowId(cid, sent)).fetchHistory());
    const history = raw.replace(/"data":"([A-Za-z0-9+/=]+)"/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
    assert.doesNotMatch(history, /@example\.com/);
    assert.match(history, /Send e-mail: action email/);
  });

  it('answers the progress query and shows the action in progress as current details', async () => {
    const { id } = await customer({}, 'prog');
    // SendGrid answers 503 to this address, so the e-mail stays in progress (retrying) for as long as the test looks;
    // moving the customer to another address below lets the next attempt through.
    testEnv().fake.injectFault({ kind: '503', to: `${id}@example.com`, times: 1000 });
    const stored = await emailCampaign();
    const env = testEnv();
    const handle = await startRun(w, stored, id, { maxRetryIntervalMs: 1000 });
    const mid = await eventually(
      () => handle.query(progressQuery),
      (p) => p.inProgress.length > 0,
      60_000,
    );
    assert.deepEqual(mid, { totalActions: 2, inProgress: ['email'], finished: [] });
    const meta = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    assert.equal(meta.currentDetails, 'Running: sendEmail email (0/2 actions finished)');

    await env
      .db('customers')
      .where({ external_id: id })
      .update({ email: `${id}-new@example.com` });
    await handle.result();
    const end = await handle.query(progressQuery);
    assert.equal(end.inProgress.length, 0);
    assert.deepEqual(
      end.finished.map((f) => `${f.actionId}:${f.outcome.status}`),
      ['email:sent', 'tag:done'],
    );
  });
});
