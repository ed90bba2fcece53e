// Waiting for SendGrid's word on a send whose answer was lost (runs of today's generation: src/workflows/versions.ts). SendGrid has no
// idempotency key to ask, but it does speak later: every event it posts for a message carries the send's send_key, and
// the service turns the first such event into the truth (the ledger row becomes `sent`) and signals the run. So the run
// waits, up to the campaign's unknownDeliveryWait, for that word; each wake-up reads the ledger (the database, not the
// signal, is the truth: a lost signal only delays the decision to the deadline). Silence decides by `unknownDelivery`:
// `hold` fails the action with delivery_unknown; `resend` sends again, as a counted possible duplicate.
import { condition, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ActionActivityInput, ActionNode, ActionOutcome, SendEmailResult } from '../../contract';
import type { RunContext } from '../../workflows/actions/types';

// Short reads and writes of the ledger, so local activities. closeSend waits while an attempt still holds the send (a
// lease is at most a minute or so).
export const { closeSend } = proxyLocalActivities<Activities>({
  summary: 'Close an e-mail the run gave up on',
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 1_000, maximumInterval: 5_000, maximumAttempts: 120 },
});
const { readSend } = proxyLocalActivities<Activities>({
  summary: "Read the send after SendGrid's word",
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 1_000, maximumInterval: 30_000 },
});

type Unknown = Extract<SendEmailResult, { status: 'unknown' }>;

/**
 * Waits for SendGrid's word on the send, then answers its outcome: `sent` when an event proved SendGrid took it, else
 * what `unknownDelivery` makes of the silence. `seen` is the run's count of emailEvent signals for this action before
 * the send began, so that a signal that came while the activity ran is not missed. `resend` sends again (with the time
 * left of the message lifetime, which also bounds the rounds of waiting and resending).
 */
export async function awaitSendGridWord(
  node: ActionNode,
  run: RunContext,
  input: ActionActivityInput,
  first: Unknown,
  seen: number,
  resend: (remainingMs: number) => Promise<SendEmailResult>,
  lifetimeEndMs: number,
): Promise<ActionOutcome> {
  let unknown = first;
  for (;;) {
    const deadline = Math.min(Date.now() + unknown.waitMs, lifetimeEndMs);
    const summary = `Wait for SendGrid's word on ${node.id}`;
    run.progress.waiting(node.id, `${summary}: until ${new Date(deadline).toISOString()}`, deadline);
    let settled: ActionOutcome | null = null;
    while (!settled && Date.now() < deadline) {
      const count = () => run.emailEvents.get(node.id) ?? 0;
      const signalled = await condition(() => count() !== seen, deadline - Date.now(), { summary });
      seen = count();
      if (!signalled) break;
      settled = await readSend(input);
    }
    if (settled) {
      run.progress.wokeEarly(node.id);
      return settled;
    }
    run.progress.doneWaiting(node.id);
    // Silence. The last look (and the close) is closeSend's: an event may have settled the row without a signal.
    const remaining = lifetimeEndMs - Date.now();
    if (unknown.policy === 'hold' || remaining <= 0) return closeSend(input, 'delivery_unknown');
    const again = await resend(remaining);
    if (again.status !== 'unknown') return again;
    unknown = again;
  }
}
