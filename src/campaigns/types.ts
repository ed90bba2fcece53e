// The campaign document as stored and as validated. Validation (validate.ts) turns unknown JSON into these types once;
// everything after that trusts them.
import type { ActionType } from '../contract';
import type { EmailAddress, EmailContent } from '../email/types';

export type { EmailAddress, TemplateContext, UtmParams } from '../email/types';

/** Send e-mail: the message (subject, HTML, text, UTM) plus who sends it, to which category, and the BCC list. */
export interface SendEmailSettings extends EmailContent {
  from: EmailAddress;
  replyTo?: EmailAddress;
  categoryCode?: string; // must name an existing mailing category
  bcc?: string[]; // validated, lower-cased, de-duplicated, at most MAX_BCC
}

export interface SetTagSettings {
  tag: string;
}

interface ActionBase<T extends string, S> {
  id: string;
  type: T;
  settings: S;
  children: Action[];
}

export type SendEmailAction = ActionBase<'sendEmail', SendEmailSettings>;
export type SetTagAction = ActionBase<'setTag', SetTagSettings>;
export type Action = SendEmailAction | SetTagAction;
export type { ActionType };
/** The action whose type is T. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

// The Action union and the contract's ACTION_TYPES must name the same types: this fails to compile when they drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const actionUnionMatchesContract: Same<Action['type'], ActionType> = true;
void actionUnionMatchesContract;

export interface Campaign {
  id: string;
  name: string;
  actions: Action[]; // the roots; siblings run concurrently
}

export const MAX_BCC = 10;
export const MAX_ACTIONS = 100;
export const MAX_DEPTH = 20;
