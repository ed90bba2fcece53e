// The campaign document as stored and as validated. Validation (validate.ts) turns unknown JSON into these types once;
// everything after that trusts them.

export interface EmailAddress {
  email: string;
  name?: string;
}

/** UTM parameters added to every http(s) link of the HTML body (keys map to utm_source, utm_medium, ...). */
export interface UtmParams {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

export interface SendEmailSettings {
  from: EmailAddress;
  replyTo?: EmailAddress;
  subject: string; // Liquid template
  html: string; // Liquid template; customer data is HTML-escaped on output
  text?: string; // Liquid template
  categoryCode?: string; // must name an existing mailing category
  bcc?: string[]; // validated, lower-cased, de-duplicated, at most MAX_BCC
  utm?: UtmParams;
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
export type ActionType = Action['type'];

export interface Campaign {
  id: string;
  name: string;
  actions: Action[]; // the roots; siblings run concurrently
}

/** What templates can read. Only these fields exist; `attributes` holds free keys. */
export interface TemplateContext {
  customer: {
    id: string;
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    attributes: Record<string, unknown>;
    tags: string[];
  };
  campaign: { id: string; name: string };
}

export const MAX_BCC = 10;
export const MAX_ACTIONS = 100;
export const MAX_DEPTH = 20;
