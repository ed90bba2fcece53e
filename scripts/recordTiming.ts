// Part of recordHistories.ts: the shapes campaign timing added. Wait, Wait until ahead and past, a send window that is
// closed (the e-mail waits for it) and open, a Wait cancelled while it waits, and a send through a campaign's
// rate-limited sends queue. Waits of seconds; each run waits for the fact, and is checked before it is saved: a history
// that does not show its shape is refused rather than committed under the wrong name.
import type { History } from '@temporalio/common/lib/proto-utils';
import { campaignRunWorkflowId, sendsTaskQueue } from '../src/contract';
import { startCampaignRun } from '../src/runs/start';
import { testEnv } from '../test/support/env';
import { eventually, importLines, runToEnd, type RunningWorker } from '../test/support/harness';
import { emailSettings, storeDoc } from '../test/support/campaigns';

type Save = (kind: string, name: string, workflowId: string) => Promise<void>;
type Event = NonNullable<History['events']>[number];

/** "HH:MM:SS" in UTC, `offsetMs` from now. */
const utcTime = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(11, 19);

async function eventsOf(workflowId: string): Promise<Event[]> {
  return (await testEnv().client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

function expect(name: string, ok: boolean, what: string): void {
  if (!ok) throw new Error(`${name}: the run did not take its shape (${what}); nothing saved`);
}

const timers = (evs: Event[]) => evs.filter((e) => e.timerStartedEventAttributes).length;
/** Whether the run recorded a local activity of this type (its marker's payload names it). */
const localActivity = (evs: Event[], type: string) =>
  evs.some((e) =>
    (e.markerRecordedEventAttributes?.details?.data?.payloads ?? []).some(
      (p) => p.data && Buffer.from(p.data).toString('utf8').includes(`"${type}"`),
    ),
  );

export async function recordTimingRuns(w: RunningWorker, save: Save): Promise<void> {
  const env = testEnv();
  const customer = (id: string) => ({ id, email: `${id}@example.com`, emailSubscribed: true, categories: { news: true } });
  await importLines(['t-wait', 't-ahead', 't-past', 't-closed', 't-open', 't-cancel', 't-limited'].map(customer));
  const email = (id: string, over: object = {}, children: unknown[] = []) => ({
    id,
    type: 'sendEmail',
    settings: emailSettings({ categoryCode: 'news', ...over }),
    children,
  });
  const tag = { id: 'tag-welcomed', type: 'setTag', settings: { tag: 'welcomed' }, children: [] };
  const doc = (id: string, actions: unknown[], top: object = {}) => ({ id, name: 'Replay timing fixture', ...top, actions });
  const record = async (
    name: string,
    stored: Awaited<ReturnType<typeof storeDoc>>,
    customerId: string,
    check: (evs: Event[]) => [boolean, string],
  ) => {
    await runToEnd(w, stored, customerId);
    const id = campaignRunWorkflowId(stored.campaign.id, customerId);
    const [ok, what] = check(await eventsOf(id));
    expect(name, ok, what);
    await save('campaignRun', name, id);
  };

  await record(
    'wait-then-send',
    await storeDoc(
      doc('replay-wait', [
        { id: 'pause', type: 'wait', settings: { duration: { seconds: 1 } }, children: [email('welcome-email', {}, [tag])] },
      ]),
    ),
    't-wait',
    (evs) => [timers(evs) === 1, 'one timer'],
  );

  const ahead = new Date(Date.now() + 3000).toISOString().slice(0, 19);
  await record(
    'wait-until-ahead',
    await storeDoc(
      doc('replay-until', [
        { id: 'until', type: 'waitUntil', settings: { dateTime: ahead, timeZone: 'UTC' }, children: [email('welcome-email')] },
      ]),
    ),
    't-ahead',
    (evs) => [timers(evs) === 1, 'one timer'],
  );

  await record(
    'wait-until-past',
    await storeDoc(
      doc('replay-until-past', [
        {
          id: 'until',
          type: 'waitUntil',
          settings: { dateTime: '2020-01-01T09:00', timeZone: 'Europe/Moscow' },
          children: [email('welcome-email')],
        },
      ]),
    ),
    't-past',
    (evs) => [timers(evs) === 0, 'no timer'],
  );

  await record(
    'send-window-wait',
    await storeDoc(
      doc('replay-window-closed', [email('welcome-email', {}, [tag])], {
        sendWindow: { start: utcTime(3000), end: utcTime(3600_000), timeZone: 'UTC' },
      }),
    ),
    't-closed',
    (evs) => [timers(evs) === 1 && localActivity(evs, 'sendWindowOpening'), 'the local activity and one timer'],
  );

  await record(
    'send-window-open',
    await storeDoc(
      doc('replay-window-open', [
        email('welcome-email', { sendWindow: { start: utcTime(-3600_000), end: utcTime(3600_000), timeZone: 'UTC' } }, [tag]),
      ]),
    ),
    't-open',
    (evs) => [timers(evs) === 0 && localActivity(evs, 'sendWindowOpening'), 'the local activity and no timer'],
  );

  // Cancelled once its timer runs.
  const long = await storeDoc(
    doc('replay-wait-cancelled', [{ id: 'pause', type: 'wait', settings: { duration: { days: 3 } }, children: [email('welcome-email')] }]),
  );
  const started = await startCampaignRun({
    client: env.client,
    taskQueue: w.taskQueue,
    campaign: long.campaign,
    campaignVersion: long.version,
    customerId: 't-cancel',
  });
  const handle = env.client.workflow.getHandle(started.workflowId);
  await eventually(
    async () => timers(await eventsOf(started.workflowId)),
    (n) => n === 1,
    60_000,
  );
  await handle.cancel();
  await handle.result().catch(() => undefined);
  const cancelled = await eventsOf(started.workflowId);
  expect('wait-cancelled', !!cancelled.at(-1)?.workflowExecutionCanceledEventAttributes, 'the run ended Cancelled');
  await save('campaignRun', 'wait-cancelled', started.workflowId);

  const limited = await storeDoc(doc('replay-limited', [email('welcome-email', {}, [tag])], { messagesPerMinute: 60 }));
  await record('rate-limited-send', limited, 't-limited', (evs) => [
    evs.some((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name === sendsTaskQueue(w.taskQueue, limited.campaign.id)),
    'the send scheduled on the sends queue',
  ]);
}
