import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

/** The operator-facing message of an activity's final failure (SendGrid's own messages for a 400). */
export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return cause.message;
    if (cause instanceof TimeoutFailure)
      return `timed out (${cause.timeoutType !== undefined ? String(cause.timeoutType) : 'timeout'})${cause.cause ? `: ${cause.cause.message}` : ''}`;
    if (cause) return cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
