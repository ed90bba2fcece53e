// What the Send e-mail rules saw, as the ledger keeps it (email/ruleInputs.ts): the decision is skipReasons' own, the
// record names which address check failed without the address, and every input is there.
import assert from 'node:assert/strict';
import { addressProblem, isValidEmail } from '../../src/email/address';
import { skipReasons } from '../../src/email/eligibility';
import { decideRules, describeRuleInputs, type RuleFacts } from '../../src/email/ruleInputs';
import { ADDRESS_EXAMPLES } from '../fixtures/addressExamples';

const facts = (over: Partial<RuleFacts> = {}): RuleFacts => ({
  emailChannel: true,
  email: 'zelda@example.com',
  emailQualityCode: 0,
  category: { code: 'news', source: 'default', subscribed: true },
  customerUpdatedAt: new Date('2026-12-01T10:00:00Z'),
  ...over,
});

describe('rule inputs (why a customer was sent to or skipped)', () => {
  it('decides exactly as skipReasons, for every combination of the four rules', () => {
    for (const channel of [true, false, null])
      for (const email of ['ann@example.com', null, 'not-an-address'])
        for (const code of [0, 3, 32])
          for (const category of [
            null,
            { code: 'news', source: 'customer' as const, subscribed: false },
            { code: 'news', source: 'default' as const, subscribed: true },
          ]) {
            const f = facts({ emailChannel: channel, email, emailQualityCode: code, category });
            const { reasons, inputs } = decideRules(f, category?.code ?? null);
            const expected = skipReasons({
              emailChannelActive: channel === true,
              email,
              emailQualityCode: code,
              categorySubscribed: category ? category.subscribed : null,
            });
            assert.deepEqual(reasons, expected);
            assert.deepEqual(inputs.reasons, expected);
            assert.equal(inputs.outcome, expected.length ? 'skip' : 'send');
          }
  });

  it('names the failed check and the quality code, never the address', () => {
    const syntax = decideRules(facts({ email: 'zelda at example.com' }), 'news').inputs;
    assert.deepEqual(syntax.address, { present: true, valid: false, failed: ['syntax'], qualityCode: 0 });
    const domain = decideRules(facts({ email: 'zelda@example', emailQualityCode: 39 }), 'news').inputs;
    assert.deepEqual(domain.address, { present: true, valid: false, failed: ['domain', 'quality_code'], qualityCode: 39 });
    const soft = decideRules(facts({ emailQualityCode: 3 }), 'news').inputs;
    assert.deepEqual(soft.address, { present: true, valid: true, failed: [], qualityCode: 3 });
    const missing = decideRules(facts({ email: '  ' }), 'news').inputs;
    assert.deepEqual(missing.address, { present: false, valid: false, failed: [], qualityCode: 0 });
    for (const i of [syntax, domain, soft, missing]) assert.ok(!JSON.stringify(i).includes('zelda'), JSON.stringify(i));
  });

  it('keeps the channel row, the category and its source, the row update time', () => {
    const { inputs } = decideRules(
      facts({ emailChannel: null, category: { code: 'promo', source: 'customer', subscribed: false } }),
      'promo',
    );
    assert.deepEqual(inputs, {
      v: 1,
      customerFound: true,
      customerUpdatedAt: '2026-12-01T10:00:00.000Z',
      emailChannel: 'no_row',
      address: { present: true, valid: true, failed: [], qualityCode: 0 },
      category: { code: 'promo', subscribed: false, source: 'customer' },
      outcome: 'skip',
      reasons: ['email_channel_unsubscribed', 'category_unsubscribed'],
    });
    assert.deepEqual(describeRuleInputs(inputs), [
      'e-mail channel: no subscription recorded (not subscribed)',
      'address: present, valid; quality code 0 (no errors)',
      "category promo: not subscribed (the customer's choice)",
      'customer row updated: 2026-12-01T10:00:00.000Z',
    ]);
  });

  it('a customer that does not exist', () => {
    const { reasons, inputs } = decideRules(null, 'news');
    assert.deepEqual(reasons, ['customer_not_found']);
    assert.equal(inputs.customerFound, false);
    assert.deepEqual(describeRuleInputs(inputs), ['customer: not found']);
  });

  it('addressProblem is null exactly for the valid published examples, and says which part fails', () => {
    for (const e of ADDRESS_EXAMPLES) {
      assert.equal(addressProblem(e.address) === null, e.valid, e.address);
      assert.equal(addressProblem(e.address) === null, isValidEmail(e.address), e.address);
    }
    assert.equal(addressProblem('a..b@example.com'), 'syntax');
    assert.equal(addressProblem('a@@example.com'), 'syntax');
    assert.equal(addressProblem('a@localhost'), 'domain');
    assert.equal(addressProblem('a@example.123'), 'domain');
  });
});
