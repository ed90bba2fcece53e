// Tells runs that the webhook stored an event for one of their e-mails that a Check e-mail status decides on, so that a
// click ends the check's wait at once. Best effort, after the commit and without holding SendGrid's answer: a signal
// that fails (Temporal away, the run already closed) is dropped, because the check reads the status again at its
// deadline, and the database, not the signal, is the truth.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { emailEventSignal } from '../contract';

export interface RunTarget {
  runKey: string;
  actionId: string;
}

export interface RunNotifier {
  notify(targets: RunTarget[]): void;
  /** waits for the signals still in flight */
  close(): Promise<void>;
}

/**
 * Signals by workflow id (the send's run key): the run's current execution. A signal that Temporal has not taken within
 * `timeoutMs` (the client retries meanwhile) is given up, so that an outage does not pile up signals in memory. Logs
 * ids only.
 */
export function temporalNotifier(client: Client, log: (line: string) => void, timeoutMs = 10_000): RunNotifier {
  const inFlight = new Set<Promise<void>>();
  return {
    notify(targets) {
      const unique = new Map(targets.map((t) => [`${t.runKey}\n${t.actionId}`, t]));
      for (const t of unique.values()) {
        const p: Promise<void> = client
          .withDeadline(Date.now() + timeoutMs, () =>
            client.workflow.getHandle(t.runKey).signal(emailEventSignal, { actionId: t.actionId }),
          )
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return; // the run has ended: nothing waits
            log(
              `webhook: run ${t.runKey} not told of an event for ${t.actionId} (${String((err as Error)?.message ?? err).split('\n')[0]}); its check reads the status at its deadline`,
            );
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    },
    async close() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
