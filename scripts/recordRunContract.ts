// Part of recordHistories.ts: the shapes generation run-2026-12 brought (src/workflows/versions.ts). A lost answer that
// SendGrid's word settles (the webhook's event, the service's signal); a run started with ids alone; and the two runs
// its start refuses: another workflow id, a tree its campaign does not have. Each is checked before it is saved.
import { WorkflowFailedError } from '@temporalio/client';
import { campaignRunWorkflowId, WorkflowTypes, type ActionOutcome, type CampaignRunResult } from '../src/contract';
import { actionTree } from '../src/campaigns/runTree';
import { getEntry } from '../src/db/ledger';
import { testEnv } from '../test/support/env';
import { importLines, runToEnd, startWorker, type RunningWorker } from '../test/support/harness';
import { emailSettings, storeDoc } from '../test/support/campaigns';
import { startTestService } from '../test/support/service';

type Save = (kind: string, name: string, workflowId: string) => Promise<void>;
type Tree = (id: string, settings?: Parameters<typeof emailSettings>[0]) => object;

const EMAIL = 'welcome-email';

function expect(name: string, ok: boolean, what: string): void {
  if (!ok) throw new Error(`${name}: the run did not take its shape (${what}); nothing saved`);
}

const emailOutcome = (r: CampaignRunResult): ActionOutcome | undefined => r.actions.find((a) => a.actionId === EMAIL)?.outcome;

export async function recordRunContractRuns(tree: Tree, save: Save): Promise<void> {
  const env = testEnv();
  await importLines(
    ['r-word', 'r-ids-only', 'r-wrong-id', 'r-bad-tree'].map((id) => ({
      id,
      email: `${id}@example.com`,
      emailSubscribed: true,
      categories: { news: true },
    })),
  );
  const main = await storeDoc(tree('replay-contract'));

  // A lost answer (a gateway's 500 after SendGrid took the message): the run waits for SendGrid's word, which comes as
  // the webhook's first event for the send; the service settles the row and signals the run, which goes on as sent.
  {
    const name = 'word-confirmed';
    const service = await startTestService({ temporal: env.client });
    const heard = await startWorker({ publicUrl: service.url });
    try {
      env.fake.injectFault({ kind: 'accept-then-500', to: 'r-word@example.com' });
      const r = await runToEnd(heard, main, 'r-word');
      const workflowId = campaignRunWorkflowId(main.campaign.id, 'r-word');
      const row = await getEntry(env.db, { runKey: workflowId, actionId: EMAIL });
      expect(
        name,
        emailOutcome(r)?.status === 'sent' && !!row?.confirmedByEvent,
        `${JSON.stringify(emailOutcome(r))}, ${row?.confirmedByEvent}`,
      );
      const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      expect(
        name,
        events.some((e) => e.workflowExecutionSignaledEventAttributes),
        'no signal woke the run',
      );
      await save('campaignRun', name, workflowId);
    } finally {
      await heard.stop();
      await service.close();
    }
  }

  const w: RunningWorker = await startWorker();
  try {
    // Started as another client would: ids alone; the run takes its tree from the stored version.
    {
      const name = 'ids-only-input';
      const workflowId = campaignRunWorkflowId(main.campaign.id, 'r-ids-only');
      const handle = await env.client.workflow.start(WorkflowTypes.campaignRun, {
        taskQueue: w.taskQueue,
        workflowId,
        args: [{ campaignId: main.campaign.id, campaignVersion: main.version, customerId: 'r-ids-only' }],
      });
      const r: CampaignRunResult = await handle.result();
      expect(name, emailOutcome(r)?.status === 'sent', JSON.stringify(emailOutcome(r)));
      await save('campaignRun', name, workflowId);
    }

    // Refused at its start: a workflow id other than the run's own.
    {
      const name = 'refused-workflow-id';
      const workflowId = `not-${campaignRunWorkflowId(main.campaign.id, 'r-wrong-id')}`;
      const input = { campaignId: main.campaign.id, campaignVersion: main.version, customerId: 'r-wrong-id' };
      const handle = await env.client.workflow.start(WorkflowTypes.campaignRun, { taskQueue: w.taskQueue, workflowId, args: [input] });
      const failed = await handle.result().then(
        () => false,
        (err: unknown) => err instanceof WorkflowFailedError,
      );
      expect(name, failed, 'the run did not fail');
      await save('campaignRun', name, workflowId);
    }

    // Refused at its start: a tree with an action its stored version does not have.
    {
      const name = 'refused-tree';
      const workflowId = campaignRunWorkflowId(main.campaign.id, 'r-bad-tree');
      const actions = actionTree(main.campaign);
      const input = {
        campaignId: main.campaign.id,
        campaignVersion: main.version,
        customerId: 'r-bad-tree',
        actions: [{ ...actions[0], id: 'not-stored' }, ...actions.slice(1)],
      };
      const handle = await env.client.workflow.start(WorkflowTypes.campaignRun, { taskQueue: w.taskQueue, workflowId, args: [input] });
      const failed = await handle.result().then(
        () => false,
        (err: unknown) => err instanceof WorkflowFailedError,
      );
      expect(name, failed, 'the run did not fail');
      await save('campaignRun', name, workflowId);
    }
  } finally {
    await w.stop();
  }
}
