// What crosses the workflow boundary: ids and the campaign's shape, never customer data (addresses, names) and never the
// message content. Activities load settings and customers from Postgres by id.
import type { SkipReason } from '../email/eligibility';

/** The shape of a campaign: enough to walk it. Settings stay in the stored campaign version. */
export interface ActionNode {
  id: string;
  type: string;
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

/** Failure types the activities throw; the workflow's retry policy and handlers key on them. */
export const FailureTypes = {
  rejected: 'SendGridRejected',
  rateLimited: 'SendGridRateLimited',
  auth: 'SendGridAuth',
  unavailable: 'SendGridUnavailable',
  badCampaign: 'CampaignNotFound',
} as const;

/** Who a launch enrols: everyone, the customers with a tag, or a list of ids stored under the launch id. */
export type Audience = { kind: 'all' } | { kind: 'tag'; tag: string } | { kind: 'list' };

export interface LaunchState {
  /** the last customer id whose run was started; pages continue after it */
  cursor: string | null;
  started: number;
  alreadyEnrolled: number;
  pages: number;
}

export interface LaunchInput {
  launchId: string;
  campaignId: string;
  campaignVersion: number;
  audience: Audience;
  pageSize?: number;
  /** pages per workflow run before continue-as-new (default 100) */
  pagesPerRun?: number;
  /** at most this many of the launch's runs in flight before the next page starts (default 1000) */
  maxInFlight?: number;
  runOptions?: RunOptions;
  /** carried across continue-as-new */
  state?: LaunchState;
}

export interface LaunchProgress extends LaunchState {
  done: boolean;
}

export interface LaunchPageInput {
  launchId: string;
  campaignId: string;
  campaignVersion: number;
  audience: Audience;
  after: string | null;
  pageSize: number;
  /** absent in launches recorded before flow control: no limit */
  maxInFlight?: number;
  runOptions?: RunOptions;
}

export interface LaunchPageResult {
  /** null when the page was empty */
  lastCustomerId: string | null;
  count: number;
  started: number;
  alreadyEnrolled: number;
}
