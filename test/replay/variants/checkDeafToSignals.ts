// Check e-mail status without its wake-ups: it reads the status at once and at the deadline only, ignoring the service's
// emailEvent signals. Otherwise it issues exactly production's commands (src/actions/checkEmailStatus/workflow.ts).
// A run whose check a signal woke holds reads this code does not make (and a cancelled timer), so it must not replay
// against it; every other run replays, which shows the copy is faithful.
import { condition, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../../src/activities';
import { describeWaitDuration, waitDurationMs, type EmailStatusQuery, type EmailStatusReading } from '../../../src/contract';
import { handlers } from '../../../src/actions/workflows';
import type { ActionHandler } from '../../../src/workflows/actions/types';
import { record } from '../../../src/workflows/actions/waiting';

const { emailStatus } = proxyLocalActivities<Activities>({
  summary: 'Read the checked e-mail status',
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 1_000, maximumInterval: 30_000 },
});

const final = (r: EmailStatusReading) => !r.sent || r.status === 'clicked';

const deafCheck: ActionHandler = async (node, run) => {
  const check = node.emailCheck!;
  const query: EmailStatusQuery = { runKey: run.runKey, emailActionId: check.emailActionId };
  const deadline = Date.now() + (check.waitUpTo ? waitDurationMs(check.waitUpTo) : 0);
  let reading = await emailStatus(query);
  if (!final(reading) && deadline > Date.now()) {
    const summary = `Wait up to ${describeWaitDuration(check.waitUpTo!)} for a click on ${check.emailActionId}`;
    await record(node, run, null, deadline);
    run.progress.waiting(node.id, `${summary}: until ${new Date(deadline).toISOString()}`, deadline);
    await condition(() => false, deadline - Date.now(), { summary });
    reading = await emailStatus(query);
    run.progress.doneWaiting(node.id);
  }
  const status = reading.sent ? reading.status : 'email_not_sent';
  await record(node, run, status);
  run.progress.emailStatusDecided(status);
  const children = Object.entries(check.branches)
    .filter(([, statuses]) => status !== 'email_not_sent' && statuses.includes(status))
    .map(([id]) => id);
  return { outcome: { status: 'done', emailStatus: status }, runChildren: children.length > 0, children };
};

(handlers as { checkEmailStatus: ActionHandler }).checkEmailStatus = deafCheck;

export { campaignRun, launchCampaign } from '../../../src/workflows';
