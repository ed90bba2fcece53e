// The campaign document as stored and as validated. Validation (validate.ts) turns unknown JSON into these types once;
// everything after that trusts them.
import type { ActionType, EmailStatus, SendWindow, WaitDuration } from '../contract';
import type { EmailAddress, EmailContent } from '../email/types';

export type { EmailAddress, TemplateContext, UtmParams } from '../email/types';

/** Send e-mail: the message (subject, HTML, text, UTM) plus who sends it, to which category, and the BCC list. */
export interface SendEmailSettings extends EmailContent {
  from: EmailAddress;
  replyTo?: EmailAddress;
  categoryCode?: string; // must name an existing mailing category
  bcc?: string[]; // validated, lower-cased, de-duplicated, at most MAX_BCC
  /** this action's own send window, instead of the campaign's */
  sendWindow?: SendWindow;
  /** SmartCom's "Deliver immediately: ignore send time interval": no window applies to this action */
  deliverImmediately?: boolean;
}

export interface SetTagSettings {
  tag: string;
}

/** Wait: continue after a duration (at least a second, at most MAX_WAIT_DAYS days). */
export interface WaitSettings {
  duration: WaitDuration;
}

/** Wait until: continue at a local date and time in an IANA zone; a moment already past continues at once. */
export interface WaitUntilSettings {
  /** "2026-12-01T10:00" or "2026-12-01T10:00:30", no offset: the zone says which instant it is */
  dateTime: string;
  timeZone: string;
}

/**
 * Check e-mail status: decides the status of an e-mail an ancestor Send e-mail sent, at once or, with `waitUpTo`, on a
 * click or at the end of that window, and runs the children mapped to that status.
 */
export interface CheckEmailStatusSettings {
  /** the id of a Send e-mail action that is an ancestor of this check */
  emailActionId: string;
  /** how long to wait for a click (at most MAX_CHECK_WAIT_DAYS); absent: decide at once */
  waitUpTo?: WaitDuration;
  /** each child's id -> the statuses on which it runs (every child has at least one; a status may have none) */
  branches: Record<string, EmailStatus[]>;
}

interface ActionBase<T extends string, S> {
  id: string;
  type: T;
  settings: S;
  children: Action[];
}

export type SendEmailAction = ActionBase<'sendEmail', SendEmailSettings>;
export type SetTagAction = ActionBase<'setTag', SetTagSettings>;
export type WaitAction = ActionBase<'wait', WaitSettings>;
export type WaitUntilAction = ActionBase<'waitUntil', WaitUntilSettings>;
export type CheckEmailStatusAction = ActionBase<'checkEmailStatus', CheckEmailStatusSettings>;
export type Action = SendEmailAction | SetTagAction | WaitAction | WaitUntilAction | CheckEmailStatusAction;
export type { ActionType };
/** The action whose type is T. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

// The Action union and the contract's ACTION_TYPES must name the same types: this fails to compile when they drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const actionUnionMatchesContract: Same<Action['type'], ActionType> = true;
void actionUnionMatchesContract;

/**
 * What a Send e-mail does when SendGrid may have taken the message but its answer never came (a gateway's 5xx, a
 * timeout or a reset after the request went out, or an attempt that died mid-send) and no event said so within
 * `unknownDeliveryWait`: `hold` never sends it again (at most once: the action fails with `delivery_unknown`); `resend`
 * sends again (at least once: the ledger marks the send `possible_duplicate` and the report counts it).
 */
export const UNKNOWN_DELIVERY = ['hold', 'resend'] as const;
export type UnknownDelivery = (typeof UNKNOWN_DELIVERY)[number];
export const DEFAULT_UNKNOWN_DELIVERY: UnknownDelivery = 'hold';

/**
 * How long a run waits for SendGrid's word (an event carrying the send's send_key) on a send whose answer was lost,
 * before `unknownDelivery` decides: SendGrid posts events within seconds to minutes.
 */
export const DEFAULT_UNKNOWN_DELIVERY_WAIT: WaitDuration = { minutes: 15 };
export const MAX_UNKNOWN_DELIVERY_WAIT_DAYS = 3;

export interface Campaign {
  id: string;
  name: string;
  /** default DEFAULT_UNKNOWN_DELIVERY */
  unknownDelivery?: UnknownDelivery;
  /** default DEFAULT_UNKNOWN_DELIVERY_WAIT */
  unknownDeliveryWait?: WaitDuration;
  /** the daily window e-mails go out in (an action may set its own, or deliverImmediately); none: any time */
  sendWindow?: SendWindow;
  /** at most this many sendEmail attempts start per minute across every worker (a server-side task queue rate limit) */
  messagesPerMinute?: number;
  actions: Action[]; // the roots; siblings run concurrently
}

export const MAX_BCC = 10;
export const MAX_WAIT_DAYS = 365;
/** the longest a Check e-mail status waits for a click (Braze's Action Paths allow 31 days too) */
export const MAX_CHECK_WAIT_DAYS = 31;
export const MAX_MESSAGES_PER_MINUTE = 60_000;
export const MAX_ACTIONS = 100;
export const MAX_DEPTH = 20;
