// Check e-mail status (README "Action types"): what a run learns about an e-mail it sent, in SmartCom's four statuses.
// The truth is what the webhook stored (send_delivery); the service also signals the run when it stores an event for an
// e-mail a check waits on, so that a click ends the wait at once. A lost signal changes nothing but the timing: the
// check reads the status again at its deadline.
import { defineSignal } from '@temporalio/workflow';
import type { WaitDuration } from './timing';

/**
 * SmartCom's statuses, from worst to best. `undelivered`: bounced, blocked, dropped, or not delivered by the decision
 * time (processed or deferred only, or no event at all).
 */
export const EMAIL_STATUSES = ['undelivered', 'delivered_not_opened', 'opened_not_clicked', 'clicked'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** What a check reads: the e-mail's status, or that the checked e-mail was not sent (the ledger's status, or none). */
export type EmailStatusReading = { sent: true; status: EmailStatus } | { sent: false; ledgerStatus: string | null };

/**
 * What a machine open is to Check e-mail status: Apple Mail's privacy proxy loads every message it receives, so SendGrid
 * reports an open (sg_machine_open: true) for mail nobody read. `excluded`: not opened; `counted`: opened.
 */
export const MACHINE_OPENS = ['excluded', 'counted'] as const;
export type MachineOpens = (typeof MACHINE_OPENS)[number];
export const DEFAULT_MACHINE_OPENS: MachineOpens = 'excluded';

/** The settings of a Check e-mail status that its run needs, carried in the run's input (ActionNode.emailCheck). */
export interface EmailCheck {
  /** the Send e-mail action (an ancestor of the check) whose e-mail is checked */
  emailActionId: string;
  /** how long to wait for a click; absent: decide at once */
  waitUpTo?: WaitDuration;
  /** child action id -> the statuses on which it runs */
  branches: Record<string, EmailStatus[]>;
  /**
   * The campaign counts machine opens (sg_machine_open) as opened. Absent: they are not (the default, and what every
   * run started before the setting existed carries).
   */
  machineOpens?: 'counted';
}

export interface EmailStatusQuery {
  runKey: string;
  /** the Send e-mail action's id */
  emailActionId: string;
  /** a machine open counts as opened (the check's EmailCheck.machineOpens); absent: it does not */
  machineOpens?: 'counted';
}

/**
 * Sent by the service to a run (its workflow id is the send's run key) when it stored an event for one of the run's
 * e-mails that a Check e-mail status of the campaign checks. Carries ids only; the run reads the status itself.
 */
export const emailEventSignal = defineSignal<[{ actionId: string }]>('emailEvent');
