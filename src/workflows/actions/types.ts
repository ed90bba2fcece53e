import type { ProgressTracker } from '../progress';
import type { ActionNode, ActionOutcome, CampaignRunInput } from '../../contract';

export interface RunContext {
  input: CampaignRunInput;
  /** the business-key workflow id: the send ledger's key for this run */
  runKey: string;
  progress: ProgressTracker;
}

export interface HandlerResult {
  outcome: ActionOutcome;
  /** whether the action's children run */
  runChildren: boolean;
}

/** What the workflow does for one action type. One small module per type. */
export type ActionHandler = (node: ActionNode, run: RunContext) => Promise<HandlerResult>;
