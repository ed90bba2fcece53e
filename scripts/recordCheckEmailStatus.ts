// Part of recordHistories.ts: the shapes Check e-mail status added. A check that a click's signal ends early, one decided
// at its deadline, and one that decides at once (after a Wait). The fake posts its scripted events to the real service,
// which signals the runs. Each run is checked before it is saved: a history that does not show its shape is refused.
import type { History } from '@temporalio/common/lib/proto-utils';
import { campaignRunWorkflowId, type CampaignRunResult } from '../src/contract';
import type { ScriptStep } from '../dev/sendgridFakeEvents';
import { testEnv } from '../test/support/env';
import { importLines, runToEnd, type RunningWorker } from '../test/support/harness';
import { emailSettings, storeDoc } from '../test/support/campaigns';
import { startTestService } from '../test/support/service';

type Save = (kind: string, name: string, workflowId: string) => Promise<void>;
type Event = NonNullable<History['events']>[number];

export async function recordCheckRuns(w: RunningWorker, save: Save): Promise<void> {
  const env = testEnv();
  const service = await startTestService({ temporal: env.client });
  try {
    const tag = (id: string) => ({ id, type: 'setTag', settings: { tag: id }, children: [] });
    const check = (waitUpTo?: object) => ({
      id: 'check-welcome',
      type: 'checkEmailStatus',
      settings: {
        emailActionId: 'welcome-email',
        ...(waitUpTo ? { waitUpTo } : {}),
        branches: {
          'tag-clicked': ['clicked'],
          'tag-remind': ['delivered_not_opened', 'opened_not_clicked'],
          'tag-undelivered': ['undelivered'],
        },
      },
      children: [tag('tag-clicked'), tag('tag-remind'), tag('tag-undelivered')],
    });
    const doc = (id: string, children: unknown[]) => ({
      id,
      name: 'Replay check fixture',
      actions: [{ id: 'welcome-email', type: 'sendEmail', settings: emailSettings({ categoryCode: 'news' }), children }],
    });
    const record = async (
      name: string,
      campaign: unknown,
      customerId: string,
      steps: ScriptStep[],
      status: string,
      shape: (evs: Event[]) => [boolean, string],
    ) => {
      await importLines([{ id: customerId, email: `${customerId}@example.com`, emailSubscribed: true, categories: { news: true } }]);
      env.fake.webhook.script({ to: `${customerId}@example.com`, steps });
      const stored = await storeDoc(campaign);
      const result: CampaignRunResult = await runToEnd(w, stored, customerId);
      const id = campaignRunWorkflowId(stored.campaign.id, customerId);
      const evs = (await env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
      const decided = result.actions.find((a) => a.actionId === 'check-welcome')?.outcome;
      const [ok, what] = shape(evs);
      if (!ok || decided?.status !== 'done' || decided.emailStatus !== status)
        throw new Error(`${name}: the run did not take its shape (${what}, ${status}: got ${JSON.stringify(decided)}); nothing saved`);
      await save('campaignRun', name, id);
    };
    const signalled = (evs: Event[]) => evs.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'emailEvent');

    await record(
      'check-clicked-early',
      doc('replay-check-click', [check({ seconds: 60 })]),
      'k-click',
      [{ event: 'delivered' }, { event: 'later', ms: 2000 }, { event: 'open' }, { event: 'click' }],
      'clicked',
      (evs) => [signalled(evs) && evs.some((e) => e.timerCanceledEventAttributes), 'a signal, and the deadline timer cancelled'],
    );
    await record(
      'check-at-deadline',
      doc('replay-check-deadline', [check({ seconds: 3 })]),
      'k-deadline',
      [{ event: 'delivered' }],
      'delivered_not_opened',
      (evs) => [evs.some((e) => e.timerFiredEventAttributes), 'the deadline timer fired'],
    );
    await record(
      'check-at-once',
      doc('replay-check-once', [{ id: 'pause', type: 'wait', settings: { duration: { seconds: 2 } }, children: [check()] }]),
      'k-once',
      [{ event: 'delivered' }, { event: 'open' }],
      'opened_not_clicked',
      (evs) => [evs.filter((e) => e.timerStartedEventAttributes).length === 1, "only the Wait's timer"],
    );
  } finally {
    await service.close();
  }
}
