// An action's outcome in a few words, as every text output shows it (the CLI's run lines, the stack's demo, `why`).
import type { ActionOutcome } from './runs';

export function describeOutcome(o: ActionOutcome): string {
  switch (o.status) {
    case 'sent':
      return `sent (message ${o.messageId})`;
    case 'skipped':
      return `skipped: ${o.reasons.join(', ')}`;
    case 'failed':
      return `failed: ${o.error}`;
    case 'done':
      return o.emailStatus ? `done: ${o.emailStatus}` : o.variant ? `done: variant ${o.variant}` : 'done';
    default:
      return o.status;
  }
}
