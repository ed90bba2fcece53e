// How the campaign run's behaviour changes are versioned. Each patched() call records a marker and, through the SDK,
// upserts the TemporalChangeVersion search attribute: one visibility write per patch per run. So a run begun under
// today's code records one marker for the whole generation (RUN_2026_12) and takes the branch of every earlier patch
// without consulting it; a run begun before replays through each patch as it was recorded.
import { patched } from '@temporalio/workflow';

/**
 * Since this marker a run: checks its workflow id and input at its start (./checkedStart.ts), waits for SendGrid's word
 * on a send whose answer was lost (./actions/sendgridWord.ts), and takes, without their markers, the branches of
 * set-tag-local-activity, cancellation-ends-run, record-lifetime-expiry and send-window.
 */
export const RUN_2026_12 = 'run-2026-12';

/**
 * Since this patch a cancelled run ends Cancelled instead of completing: a Send e-mail stops (its ledger row is closed
 * as cancelled, and no child runs) instead of ending `failed`, and a Set tag lets the cancellation through. Runs
 * recorded before it replay through the old branch. (Both action types take it, so it is named here.)
 */
export const CANCEL_ENDS_RUN = 'cancellation-ends-run';

/** Whether the run began under today's code (one marker, recorded at its start). */
export function currentGeneration(): boolean {
  return patched(RUN_2026_12);
}

/** Whether the run takes `patch`'s branch: a run of today's generation always does, an older one as it recorded. */
export function takes(run: { current: boolean }, patch: string): boolean {
  return run.current || patched(patch);
}
