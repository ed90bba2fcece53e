// The four SmartCom conditions, all 16 combinations, through a real worker, Temporal server, Postgres and the fake.
import assert from 'node:assert/strict';
import type { SkipReason } from '../../src/contract';
import { acceptedFor, importLines, outcomeOf, runToEnd, tagsOf, uid, useWorker } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';

interface Combo {
  channel: boolean;
  present: boolean;
  valid: boolean;
  category: boolean;
}

const combos: Combo[] = [];
for (let i = 0; i < 16; i++) combos.push({ channel: !!(i & 8), present: !!(i & 4), valid: !!(i & 2), category: !!(i & 1) });

/** The rule as SmartCom states it, written independently of the implementation: every failing condition, in order. */
function expectedReasons(c: Combo): SkipReason[] {
  const r: SkipReason[] = [];
  if (!c.channel) r.push('email_channel_unsubscribed');
  if (!c.present) r.push('email_missing');
  if (!c.valid) r.push('email_invalid');
  if (!c.category) r.push('category_unsubscribed');
  return r;
}

describe('sendEmail eligibility (end to end)', function () {
  const w = useWorker();
  const prefix = uid('elig');

  function customerFor(c: Combo, i: number) {
    const id = `${prefix}-${i}`;
    // An address can be invalid by syntax or by a hard quality code (>= 30); alternate to cover both.
    let email: string | null = null;
    let emailQualityCode = 0;
    if (c.present) {
      email = c.valid || i % 2 === 0 ? `${id}@example.com` : 'not-an-address@';
      if (!c.valid && i % 2 === 0) emailQualityCode = 32; // "address does not exist"
    } else if (!c.valid) {
      emailQualityCode = 30; // "no address specified"
    }
    return { id, email, emailQualityCode, emailSubscribed: c.channel, categories: { news: c.category }, firstName: `F${i}` };
  }

  it('sends only when all four conditions hold, and otherwise reports every failing one in order; children run on sent only', async () => {
    await importLines(combos.map(customerFor));
    const stored = await emailCampaign({ categoryCode: 'news' });
    const results = await Promise.all(combos.map((_, i) => runToEnd(w, stored, `${prefix}-${i}`)));

    for (let i = 0; i < 16; i++) {
      const c = combos[i];
      const reasons = expectedReasons(c);
      const email = outcomeOf(results[i], 'email');
      const tag = outcomeOf(results[i], 'tag');
      const label = JSON.stringify(c);
      if (reasons.length === 0) {
        assert.equal(email.status, 'sent', label);
        assert.equal(tag.status, 'done', label);
        assert.deepEqual(await tagsOf(`${prefix}-${i}`), ['welcomed'], label);
        assert.equal(acceptedFor(`${prefix}-${i}@example.com`).length, 1, label);
      } else {
        assert.deepEqual(email, { status: 'skipped', reasons }, label);
        assert.deepEqual(tag, { status: 'not_run' }, label);
        assert.deepEqual(await tagsOf(`${prefix}-${i}`), [], label);
        assert.equal(acceptedFor(`${prefix}-${i}@example.com`).length, 0, label);
      }
    }
  });

  it('a customer that does not exist is skipped with customer_not_found alone', async () => {
    const stored = await emailCampaign({ categoryCode: 'news' });
    const r = await runToEnd(w, stored, uid('ghost'));
    assert.deepEqual(outcomeOf(r, 'email'), { status: 'skipped', reasons: ['customer_not_found'] });
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'not_run' });
  });

  it('an action without a category ignores category subscriptions; a soft quality code still sends', async () => {
    const id = uid('nocat');
    await importLines([{ id, email: `${id}@example.com`, emailQualityCode: 5, emailSubscribed: true, categories: { news: false } }]);
    const stored = await emailCampaign();
    const r = await runToEnd(w, stored, id);
    assert.equal(outcomeOf(r, 'email').status, 'sent');
    assert.deepEqual(outcomeOf(r, 'tag'), { status: 'done' });
  });

  it('a category default applies to customers without their own row; a hidden category cannot be unsubscribed at import', async () => {
    const { id } = await customer({}, 'dflt');
    const promo = await runToEnd(w, await emailCampaign({ categoryCode: 'promo' }), id);
    assert.deepEqual(outcomeOf(promo, 'email'), { status: 'skipped', reasons: ['category_unsubscribed'] });
    const service = await runToEnd(w, await emailCampaign({ categoryCode: 'service' }), id);
    assert.equal(outcomeOf(service, 'email').status, 'sent');
    await assert.rejects(
      importLines([{ id: uid('h'), email: 'h@example.com', emailSubscribed: true, categories: { service: false } }]),
      /line 1: categories\.service: hidden category cannot be unsubscribed from/,
    );
  });
});
