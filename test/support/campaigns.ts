// The one campaign builder of the tests: documents as a user writes them (src/campaigns/validate.ts checks them), and
// stored as `campaigns store` stores them, each under an id no other test shares.
import { parseCampaign } from '../../src/campaigns/validate';
import type { Campaign } from '../../src/campaigns/types';
import type { SendEmailSettings } from '../../src/actions/sendEmail/definition';
import { storeCampaign } from '../../src/db/campaigns';
import { categoryCodes } from '../../src/db/categories';
import { testEnv } from './env';
import { uid } from './harness';

export interface StoredDoc {
  campaign: Campaign;
  version: number;
}

/** A Send e-mail's settings: a sender, a subject and HTML with a link (for the UTM tags), `over` set or replaced. */
export function emailSettings(over: Partial<SendEmailSettings> = {}): SendEmailSettings {
  return {
    from: { email: 'news@shop.example.com', name: 'Example Shop' },
    subject: 'Hello {{ customer.firstName | default: "friend" }}',
    html: '<p>Hi {{ customer.firstName }}</p><a href="https://shop.example.com/sale">Sale</a>',
    ...over,
  };
}

/** Send e-mail (action `email`), then Set tag (action `tag`) as its child: the tag proves whether children ran. */
export function emailThenTag(id: string, settings: SendEmailSettings, tag = 'welcomed'): unknown {
  return {
    id,
    name: `Test ${id}`,
    actions: [{ id: 'email', type: 'sendEmail', settings, children: [{ id: 'tag', type: 'setTag', settings: { tag }, children: [] }] }],
  };
}

/** `n` sibling Send e-mail actions (email-1..n): one run sends n messages at once. */
export function emails(id: string, n: number, over: Partial<SendEmailSettings> = {}): unknown {
  return {
    id,
    name: `Test ${id}`,
    actions: Array.from({ length: n }, (_, i) => ({
      id: `email-${i + 1}`,
      type: 'sendEmail',
      settings: emailSettings(over),
      children: [],
    })),
  };
}

/** Validates a document against the stored categories and stores it (a new version when it changed). */
export async function storeDoc(doc: unknown): Promise<StoredDoc> {
  const { db } = testEnv();
  const campaign = parseCampaign(doc, { categoryCodes: await categoryCodes(db) });
  const stored = await storeCampaign(db, campaign);
  return { campaign: stored.campaign, version: stored.version };
}

/** The tests' usual campaign, stored: Send e-mail with `over`, then Set tag, under a new id starting with `prefix`. */
export async function emailCampaign(over: Partial<SendEmailSettings> = {}, prefix = 'camp'): Promise<StoredDoc> {
  return storeDoc(emailThenTag(uid(prefix), emailSettings(over)));
}
