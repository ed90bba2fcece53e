import type { ActionOutcome, CampaignRunResult } from '../contract';

export function describeOutcome(o: ActionOutcome): string {
  switch (o.status) {
    case 'sent':
      return `sent (${o.messageId})`;
    case 'skipped':
      return `skipped: ${o.reasons.join(', ')}`;
    case 'failed':
      return `failed: ${o.error}`;
    case 'done':
      return o.emailStatus ? `done: ${o.emailStatus}` : 'done';
    default:
      return o.status;
  }
}

/** One line per run: "c-42  welcome-email: sent (...) | tag-welcomed: done". */
export function describeRun(r: CampaignRunResult): string {
  return `${r.customerId}\t${r.actions.map((a) => `${a.actionId}: ${describeOutcome(a.outcome)}`).join(' | ')}`;
}
