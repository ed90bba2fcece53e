import type { ProgressTracker } from '../progress';
import type { ActionNode, ActionOutcome, CampaignRunInput } from '../../contract';

export interface RunContext {
  input: CampaignRunInput;
  /** the business-key workflow id: the send ledger's key for this run */
  runKey: string;
  progress: ProgressTracker;
  /** the run began under today's generation (RUN_2026_12): it takes every earlier patch's branch without its marker */
  current: boolean;
  /** whether the run takes a patch's branch: always in today's generation, else as its history recorded (../versions.ts) */
  takes(patch: string): boolean;
  /** how many emailEvent signals came for each e-mail action of the run (a Check e-mail status waits for a change) */
  emailEvents: Map<string, number>;
}

export interface HandlerResult {
  outcome: ActionOutcome;
  /** whether the action's children run */
  runChildren: boolean;
  /** which of them (ids), when not all: a Check e-mail status runs the children mapped to the status it found */
  children?: string[];
}

/** What the workflow does for one action type. One small module per type. */
export type ActionHandler = (node: ActionNode, run: RunContext) => Promise<HandlerResult>;
