// The message a Send e-mail action sends to one customer, rendered: the one function the sendEmail activity, `campaign-runner
// preview` and `campaign-runner test-send` all compose with, so that a preview is what the send would send.
import type { CustomerForSend } from '../../db/customers';
import { asciiEmail, normalizeEmail } from '../../email/address';
import type { OutgoingEmail } from '../../email/mailer';
import { renderEmail } from '../../email/render';
import type { TemplateContext } from '../../email/types';
import { unsubscribeLink, type UnsubscribeClaims, type UnsubscribeLinkConfig } from '../../email/unsubscribeToken';
import type { LoadedAction } from '../../activities/campaignCache';

export function templateContext(c: CustomerForSend['customer'], campaign: { id: string; name: string }): TemplateContext {
  return {
    customer: {
      id: c.external_id,
      email: c.email,
      firstName: c.first_name,
      lastName: c.last_name,
      attributes: c.attributes ?? {},
      tags: c.tags ?? [],
    },
    campaign,
  };
}

export interface ComposeInput {
  /** the customer as the rules read them */
  found: Pick<CustomerForSend, 'customer' | 'asmGroupId'>;
  loaded: LoadedAction<'sendEmail'>;
  /** the run's workflow id, the campaign and the action: they make the send's key */
  runKey: string;
  campaignId: string;
  actionId: string;
  /** where the unsubscribe link points and its secret; none: no link (tests of the activity alone) */
  unsubscribe?: UnsubscribeLinkConfig;
  /** the link's claims instead of this send's (a test send's link, which changes nothing) */
  unsubscribeClaims?: UnsubscribeClaims;
  /** the time 'now' means in the templates' date filters */
  now: Date;
}

export interface ComposedEmail {
  message: OutgoingEmail;
  bccCount: number;
  /** the unsubscribe link in the message (its List-Unsubscribe header and {{ unsubscribe_url }}) */
  unsubscribeUrl?: string;
}

/** The message for this customer, rendered. Throws TemplateRenderError when a template cannot render for them. */
export async function composeEmail(o: ComposeInput): Promise<ComposedEmail> {
  const settings = o.loaded.action.settings;
  const customer = o.found.customer;
  // An internationalised domain goes out in its xn-- form. (A send has an address; a preview may show a customer without.)
  const to = asciiEmail((customer.email ?? '').trim());
  // A BCC equal to the recipient would be a duplicate inside the personalization, which SendGrid rejects.
  const bcc = (settings.bcc ?? []).filter((b) => normalizeEmail(b) !== normalizeEmail(to));
  const sendKey = `${o.runKey}/${o.actionId}`;
  // One-click unsubscribe (RFC 8058): ids only in the token, signed here, in the activity.
  const claims = o.unsubscribeClaims ?? { customerId: customer.external_id, categoryCode: settings.categoryCode ?? null, sendKey };
  const unsubscribe = o.unsubscribe ? unsubscribeLink(o.unsubscribe, claims) : undefined;
  const context = templateContext(customer, { id: o.loaded.campaign.id, name: o.loaded.campaign.name });
  if (unsubscribe) context.unsubscribe_url = unsubscribe.url;
  const rendered = await renderEmail(o.loaded.prepared.email, context, { now: o.now });
  const message: OutgoingEmail = {
    to: { email: to, name: [customer.first_name, customer.last_name].filter(Boolean).join(' ') || undefined },
    bcc,
    from: settings.from,
    replyTo: settings.replyTo,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    categories: settings.categoryCode ? [settings.categoryCode] : undefined,
    customArgs: { send_key: sendKey, campaign_id: o.campaignId, action_id: o.actionId },
  };
  if (unsubscribe) message.headers = unsubscribe.headers;
  if (o.found.asmGroupId != null) message.asmGroupId = o.found.asmGroupId;
  return { message, bccCount: bcc.length, ...(unsubscribe ? { unsubscribeUrl: unsubscribe.url } : {}) };
}
