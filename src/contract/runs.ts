// What crosses the boundary of a campaign run: ids and the campaign's shape, never customer data (addresses, names) and
// never the message content. Activities load settings and customers from Postgres by id.
import type { ActionType } from './actionTypes';
import type { SplitNode } from './assignment';
import type { EmailCheck, EmailStatus } from './emailStatus';
import type { SkipReason } from './skipReasons';
import type { SendWindow, WaitDuration, WaitUntilTarget } from './timing';

/** The shape of a campaign: enough to walk it. Settings stay in the stored campaign version. */
export interface ActionNode {
  id: string;
  /** an ActionType for every validated campaign; a string, because a history may hold a type this code no longer has */
  type: ActionType | (string & {});
  children: ActionNode[];
  // Timing settings a handler needs, copied from the stored version when the run starts (README "Campaign timing").
  // In the input, and so in history, so that a replay never reads them from anywhere else; no customer data. Absent for
  // other types, and in every run started before they existed.
  /** Wait: how long */
  wait?: WaitDuration;
  /** Wait until: the instant (resolved from the local date, time and zone at the run's start) */
  waitUntil?: WaitUntilTarget;
  /** Send e-mail: the send window that applies (the action's own, else the campaign's; none with deliverImmediately) */
  sendWindow?: SendWindow;
  /** Check e-mail status: which e-mail, how long to wait for a click, and which children run on which status */
  emailCheck?: EmailCheck;
  /**
   * Split and Control group: the variants (a control group's: control, then target), each with its weight and the
   * children that run for it; the run assigns the customer with assignVariant (./assignment.ts)
   */
  split?: SplitNode;
}

export interface CampaignRunInput {
  campaignId: string;
  campaignVersion: number;
  /** the customer's external id */
  customerId: string;
  /**
   * The stored version's tree (campaigns/runTree.ts). Optional for a client other than ours: the run builds it from the
   * stored version at its start; one handed in must match the stored version, or the run fails at once.
   */
  actions?: ActionNode[];
  /** operator tuning; every field is optional and defaults to production values */
  options?: RunOptions;
  /**
   * Set when the campaign limits its messages per minute: the task queue its sendEmail activities are scheduled on,
   * rate-limited by the server (sendsTaskQueue). Absent: sends go to the run's own task queue, unlimited.
   */
  sendTaskQueue?: string;
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
  /**
   * emailStatus: a Check e-mail status's decision (`email_not_sent`: the checked e-mail was not sent; no child ran).
   * variant: the variant a Split assigned the customer to, or a Control group's group (`control`, `target`).
   */
  | { status: 'done'; emailStatus?: EmailStatus | 'email_not_sent'; variant?: string }
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

/** Input of sendEmail: the action, and how far the run has got with a send whose answer was lost. */
export interface SendEmailInput extends ActionActivityInput {
  /**
   * The run waits for SendGrid's word on a send whose answer was lost (runs of generation run-2026-12 set it): the
   * activity then answers `unknown` instead of failing or resending at once. Absent in runs started before.
   */
  awaitWord?: true;
  /** The run waited for SendGrid's word on this send in vain and the campaign resends: send it again. */
  resendUnknown?: true;
}

/**
 * `unknown`: SendGrid may have taken the message (its answer was lost, or an attempt died while its request was out).
 * The run waits up to `waitMs` for SendGrid's word (an event carrying the send's send_key), then acts by `policy`.
 */
export type SendEmailResult =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reasons: SkipReason[] }
  | { status: 'unknown'; waitMs: number; policy: 'hold' | 'resend' };
export type SetTagResult = { status: 'done'; applied: boolean };

/**
 * What the run records about a flow action (Wait, Wait until, Check e-mail status, Split, Control group) for the
 * report: reached and waiting, then the branch it took (`continued`; a check's e-mail status or `email_not_sent`; a
 * split's variant name, a control group's `control` or `target`) or `cancelled`.
 */
export interface FlowRecordInput extends ActionActivityInput {
  actionType: string;
  /** null: reached and still waiting; a string other than those listed: a split's variant name */
  outcome: 'continued' | 'cancelled' | EmailStatus | 'email_not_sent' | 'control' | 'target' | (string & {}) | null;
  /** while waiting: until when (ISO 8601) */
  waitingUntil?: string;
}

/** Input of prepareRun, the check a run makes at its start (since generation run-2026-12). */
export interface PrepareRunInput {
  campaignId: string;
  campaignVersion: number;
  /** the run's own task queue: a campaign that limits its messages per minute sends through one derived from it */
  taskQueue: string;
  /** the tree the client handed in, if any */
  actions?: ActionNode[];
  sendTaskQueue?: string;
}

export interface PreparedRun {
  /** the stored version's tree, when the client handed in none (one it handed in matched and stays as it is) */
  actions?: ActionNode[];
  sendTaskQueue?: string;
}
