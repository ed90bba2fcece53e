// What a run shows while it is in flight: the progress query, Temporal Web's "current details", and the e-mail outcome
// search attributes (so that `EmailOutcome = "skipped"` finds runs as soon as their e-mail was decided).
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { EmailOutcomeKey, SkipReasonsKey, type ActionOutcome, type ActionResult, type RunProgress } from '../contract';

export class ProgressTracker {
  private readonly running = new Map<string, string>(); // action id -> type
  private readonly finished: ActionResult[] = [];
  private readonly emailOutcomes = new Set<string>();
  private readonly skipReasons = new Set<string>();

  constructor(private readonly totalActions: number) {}

  snapshot(): RunProgress {
    return { totalActions: this.totalActions, inProgress: [...this.running.keys()], finished: [...this.finished] };
  }

  started(actionId: string, type: string): void {
    this.running.set(actionId, type);
    this.publish();
  }

  finishedAction(actionId: string, type: string, outcome: ActionOutcome): void {
    this.running.delete(actionId);
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

  private publish(): void {
    const running = [...this.running].map(([id, type]) => `${type} ${id}`);
    setCurrentDetails(
      running.length
        ? `Running: ${running.join(', ')} (${this.finished.length}/${this.totalActions} actions finished)`
        : `${this.finished.length}/${this.totalActions} actions finished`,
    );
  }
}
