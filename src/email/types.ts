// What the e-mail layer works with. campaigns/ builds on these types (a Send e-mail action's settings extend
// EmailContent); email/ never imports campaigns/, so the two folders do not depend on each other both ways.

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

/** The templated parts of a message. */
export interface EmailContent {
  subject: string; // Liquid template
  html: string; // Liquid template; customer data is HTML-escaped on output
  text?: string; // Liquid template
  utm?: UtmParams;
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
  /** this customer's unsubscribe link for this send (one-click capable), for a link in the body */
  unsubscribe_url?: string;
}
