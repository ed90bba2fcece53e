// What crosses the boundary of a campaign run: ids and the campaign's shape, never customer data (addresses, names) and
// never the message content. Activities load settings and customers from Postgres by id.
import type { ActionType } from './actionTypes';
import type { SkipReason } from './skipReasons';

/** The shape of a campaign: enough to walk it. Settings stay in the stored campaign version. */
export interface ActionNode {
  id: string;
  /** an ActionType for every validated campaign; a string, because a history may hold a type this code no longer has */
  type: ActionType | (string & {});
  children: ActionNode[];
}

export interface CampaignRunInput {
  campaignId: string;
  campaignVersion: number;
  /** the customer's external id */
  customerId: string;
  actions: ActionNode[];
  /** operator tuning; every field is optional and defaults to production values */
  options?: RunOptions;
}

export interface RunOptions {
  /** how long one sendEmail attempt may take before Temporal retries it (default 60 s) */
  sendAttemptTimeoutMs?: number;
  /** the longest pause between retries (default 60 s) */
  maxRetryIntervalMs?: number;
  /** how long delivery is attempted before the action fails: SmartCom's message lifetime (default 24 h) */
  messageLifetimeMs?: number;
}

export type ActionOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reasons: SkipReason[] }
  | { status: 'failed'; error: string }
  | { status: 'done' }
  | { status: 'not_run' };

export interface ActionResult {
  actionId: string;
  type: string;
  outcome: ActionOutcome;
}

export interface CampaignRunResult {
  campaignId: string;
  campaignVersion: number;
  customerId: string;
  /** every action of the campaign, in document order */
  actions: ActionResult[];
}

/** What the progress query returns while a run is in flight. */
export interface RunProgress {
  totalActions: number;
  inProgress: string[];
  finished: ActionResult[];
}

/** Input of every action activity: which action of which stored campaign, for whom, in which run. */
export interface ActionActivityInput {
  runKey: string;
  campaignId: string;
  campaignVersion: number;
  actionId: string;
  customerId: string;
}

export type SendEmailResult = { status: 'sent'; messageId: string } | { status: 'skipped'; reasons: SkipReason[] };
export type SetTagResult = { status: 'done'; applied: boolean };
