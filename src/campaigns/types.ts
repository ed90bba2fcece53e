// The campaign document as stored and as validated. Validation (validate.ts) turns unknown JSON into these types once;
// everything after that trusts them.
import type { ActionType, MachineOpens, SendWindow, WaitDuration } from '../contract';
import type { SettingsOf } from '../actions';

export type { EmailAddress, TemplateContext, UtmParams } from '../email/types';

interface ActionBase<T extends ActionType, S> {
  id: string;
  type: T;
  settings: S;
  children: Action[];
}

/** The action whose type is T: its settings are its module's (src/actions/<type>/definition.ts). */
export type ActionOf<T extends ActionType> = ActionBase<T, SettingsOf<T>>;
export type Action = { [T in ActionType]: ActionOf<T> }[ActionType];
export type { ActionType };

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
  /** whether Check e-mail status counts a machine open (sg_machine_open) as opened; default DEFAULT_MACHINE_OPENS */
  machineOpens?: MachineOpens;
  /** what the campaign wants of a customer, measured per variant by the report (docs/split-and-control-report.md) */
  goal?: CampaignGoal;
  actions: Action[]; // the roots; siblings run concurrently
}

/**
 * The campaign's goal: the customer gets `tag` within `withinDays` days of entering a split's variant or a control
 * group's group. A customer who already had the tag then does not count.
 */
export interface CampaignGoal {
  tag: string;
  withinDays: number;
}
export const MAX_GOAL_DAYS = 90;

export const MAX_MESSAGES_PER_MINUTE = 60_000;
export const MAX_ACTIONS = 100;
export const MAX_DEPTH = 20;
