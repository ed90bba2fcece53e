// The chaos run's audience: customers whose data covers every eligibility case of Send e-mail (channel, address missing,
// invalid by syntax, hard or soft quality code, each category subscribed, unsubscribed or left at its default), and the
// changes made to some of them while the launch runs. Pure: the same seed gives the same customers.
import type { SkipReason } from '../../src/contract';
import type { CustomerLine } from '../../src/db/customerImport';
import { skipReasons } from '../../src/email/eligibility';

/** Send e-mail A's category: subscribed unless the customer said otherwise. */
export const CATEGORY_A = { code: 'news', name: 'News', visible: true, defaultEmailSubscribed: true };
/** Send e-mail B's category: unsubscribed unless the customer subscribed. */
export const CATEGORY_B = { code: 'offers', name: 'Offers', visible: true, defaultEmailSubscribed: false };

type Address = 'valid' | 'missing' | 'badSyntax' | 'hardCode' | 'softCode';
type Choice = boolean | undefined; // a category subscription: yes, no, or none of their own (the default applies)

const ADDRESSES: Address[] = ['valid', 'missing', 'badSyntax', 'hardCode', 'softCode'];
const CHOICES: Choice[] = [true, false, undefined];

/** Every combination of the eligibility facts: 2 channel states × 5 address cases × 3 × 3 category choices. */
const CASES = [true, false].flatMap((channel) =>
  ADDRESSES.flatMap((address) => CHOICES.flatMap((a) => CHOICES.map((b) => ({ channel, address, a, b })))),
);

function pick<T>(random: () => number, weighted: [T, number][]): T {
  let x = random() * weighted.reduce((t, [, w]) => t + w, 0);
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
}

/** A customer id that sorts in creation order (launches page in id order). */
export const customerId = (i: number) => `cx-${String(i).padStart(6, '0')}`;

/**
 * Every address holds a marker unique to its customer ("mbx" and the number), so that a leak of any of them shows in a
 * history. A bad-syntax address still has an '@' (two, in fact).
 */
function addressOf(i: number, kind: Address): string | null {
  const local = `mbx${String(i).padStart(6, '0')}`;
  if (kind === 'missing') return null;
  return kind === 'badSyntax' ? `${local}@@chaos.example.com` : `${local}@chaos.example.com`;
}

/**
 * n customers: the first ones take every combination of the eligibility facts once (as far as n goes), the rest are
 * drawn with most of them eligible for both e-mails, as in a real audience.
 */
export function chaosCustomers(n: number, random: () => number): CustomerLine[] {
  return Array.from({ length: n }, (_, i) => {
    const c =
      i < CASES.length
        ? CASES[i]
        : {
            channel: random() < 0.92,
            address: pick<Address>(random, [
              ['valid', 82],
              ['softCode', 6],
              ['missing', 4],
              ['badSyntax', 4],
              ['hardCode', 4],
            ]),
            a: pick<Choice>(random, [
              [undefined, 70],
              [true, 25],
              [false, 5],
            ]),
            b: pick<Choice>(random, [
              [true, 80],
              [undefined, 10],
              [false, 10],
            ]),
          };
    const categories: Record<string, boolean> = {};
    if (c.a !== undefined) categories[CATEGORY_A.code] = c.a;
    if (c.b !== undefined) categories[CATEGORY_B.code] = c.b;
    return {
      id: customerId(i),
      email: addressOf(i, c.address),
      emailQualityCode: c.address === 'hardCode' ? 30 + (i % 70) : c.address === 'softCode' ? 1 + (i % 29) : 0,
      emailSubscribed: c.channel,
      categories,
      firstName: `Chaos ${i}`,
    };
  });
}

/** What the chaos run changes in a customer while the launch runs. */
export const CHANGE_KINDS = ['channel', 'categoryA', 'categoryB', 'hardCode', 'delete'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** The customer after a change; null when deleted. */
export function applyChange(c: CustomerLine, kind: ChangeKind): CustomerLine | null {
  switch (kind) {
    case 'channel':
      return { ...c, emailSubscribed: false };
    case 'categoryA':
      return { ...c, categories: { ...c.categories, [CATEGORY_A.code]: false } };
    case 'categoryB':
      return { ...c, categories: { ...c.categories, [CATEGORY_B.code]: false } };
    case 'hardCode':
      return { ...c, emailQualityCode: 50 };
    case 'delete':
      return null;
  }
}

/** Why Send e-mail skips this customer for a category (none: it sends), by the product's own rule. */
export function expectedReasons(c: CustomerLine | null, category: typeof CATEGORY_A | typeof CATEGORY_B): SkipReason[] {
  if (!c) return ['customer_not_found'];
  return skipReasons({
    emailChannelActive: c.emailSubscribed,
    email: c.email ?? null,
    emailQualityCode: c.emailQualityCode ?? 0,
    categorySubscribed: c.categories?.[category.code] ?? category.defaultEmailSubscribed,
  });
}
