// What a run shows while it is in flight: the progress query, Temporal Web's "current details", and the e-mail outcome
// search attributes (so that `EmailOutcome = "skipped"` finds runs as soon as their e-mail was decided).
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import {
  EmailOutcomeKey,
  EmailStatusKey,
  SkipReasonsKey,
  WaitingUntilKey,
  type ActionOutcome,
  type ActionResult,
  type RunProgress,
} from '../contract';

export class ProgressTracker {
  private readonly running = new Map<string, string>(); // action id -> type
  private readonly notes = new Map<string, string>(); // action id -> what it is waiting for
  private waitingUntilMs = 0;
  private readonly finished: ActionResult[] = [];
  private readonly emailOutcomes = new Set<string>();
  private readonly skipReasons = new Set<string>();
  private readonly emailStatuses = new Set<string>();

  constructor(private totalActions: number) {}

  /** The run's tree is known once its start is checked (a client may hand in none). */
  setTotal(totalActions: number): void {
    this.totalActions = totalActions;
  }

  snapshot(): RunProgress {
    return { totalActions: this.totalActions, inProgress: [...this.running.keys()], finished: [...this.finished] };
  }

  started(actionId: string, type: string): void {
    this.running.set(actionId, type);
    this.publish();
  }

  /**
   * The action waits until `untilMs`: Temporal Web's current details say what for, and WaitingUntil tells a launch's
   * flow control not to count the run (the latest of its waits, when siblings wait at once).
   */
  waiting(actionId: string, note: string, untilMs: number): void {
    this.notes.set(actionId, note);
    if (untilMs > this.waitingUntilMs) {
      this.waitingUntilMs = untilMs;
      upsertSearchAttributes([{ key: WaitingUntilKey, value: new Date(untilMs) }]);
    }
    this.publish();
  }

  doneWaiting(actionId: string): void {
    if (this.notes.delete(actionId)) this.publish();
  }

  /**
   * A wait that ended before its instant (a Check e-mail status woken by a click): WaitingUntil moves to now, so that a
   * launch's flow control counts the run again while its next actions run.
   */
  wokeEarly(actionId: string): void {
    this.doneWaiting(actionId);
    const now = Date.now();
    if (this.waitingUntilMs > now) {
      this.waitingUntilMs = now;
      upsertSearchAttributes([{ key: WaitingUntilKey, value: new Date(now) }]);
    }
  }

  finishedAction(actionId: string, type: string, outcome: ActionOutcome): void {
    this.running.delete(actionId);
    this.notes.delete(actionId);
    this.finished.push({ actionId, type, outcome });
    this.publish();
  }

  /** Called once per e-mail action with its final outcome. */
  emailDecided(outcome: ActionOutcome): void {
    this.emailOutcomes.add(outcome.status);
    if (outcome.status === 'skipped') outcome.reasons.forEach((r) => this.skipReasons.add(r));
    upsertSearchAttributes([
      { key: EmailOutcomeKey, value: [...this.emailOutcomes] },
      ...(this.skipReasons.size ? [{ key: SkipReasonsKey, value: [...this.skipReasons] }] : []),
    ]);
  }

  /** Called once per Check e-mail status with its decision: `EmailStatus = "clicked"` finds the run. */
  emailStatusDecided(status: string): void {
    this.emailStatuses.add(status);
    upsertSearchAttributes([{ key: EmailStatusKey, value: [...this.emailStatuses] }]);
  }

  private publish(): void {
    const running = [...this.running].map(([id, type]) => `${type} ${id}${this.notes.has(id) ? ` (${this.notes.get(id)})` : ''}`);
    setCurrentDetails(
      running.length
        ? `Running: ${running.join(', ')} (${this.finished.length}/${this.totalActions} actions finished)`
        : `${this.finished.length}/${this.totalActions} actions finished`,
    );
  }
}
