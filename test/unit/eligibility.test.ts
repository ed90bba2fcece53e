// SmartCom's Send e-mail rule as a pure function: all 16 combinations of the four conditions, each way an address can be
// invalid, and the action without a mailing category. The end-to-end version (test/e2e/eligibility.test.ts) runs the same
// combinations through a worker; this one covers every variant in milliseconds.
import assert from 'node:assert/strict';
import type { SkipReason } from '../../src/contract';
import { skipReasons, type EligibilityFacts } from '../../src/email/eligibility';

interface Combo {
  channel: boolean;
  present: boolean;
  valid: boolean;
  /** null: the action names no mailing category */
  category: boolean | null;
}

/** The rule as SmartCom states it, written independently of the implementation: every failing condition, in order. */
function expectedReasons(c: Combo): SkipReason[] {
  const r: SkipReason[] = [];
  if (!c.channel) r.push('email_channel_unsubscribed');
  if (!c.present) r.push('email_missing');
  if (!c.valid) r.push('email_invalid');
  if (c.category === false) r.push('category_unsubscribed');
  return r;
}

/** Every (address, quality code) pair that realises a combination's `present` and `valid`, with a label. */
function addressVariants(present: boolean, valid: boolean): { email: string | null; emailQualityCode: number; label: string }[] {
  if (present && valid) {
    // Codes 1-29 are soft problems: the address is still sendable.
    return [0, 1, 15, 29].map((code) => ({ email: 'ann@example.com', emailQualityCode: code, label: `good syntax, code ${code}` }));
  }
  if (present && !valid) {
    return [
      { email: 'not-an-address@', emailQualityCode: 0, label: 'bad syntax, code 0' },
      { email: 'ann@@example.com', emailQualityCode: 10, label: 'bad syntax, soft code 10' },
      ...[30, 32, 99].map((code) => ({ email: 'ann@example.com', emailQualityCode: code, label: `good syntax, hard code ${code}` })),
    ];
  }
  if (!present && valid) {
    return [
      { email: null, emailQualityCode: 0, label: 'null address' },
      { email: '   ', emailQualityCode: 0, label: 'blank address' },
      { email: null, emailQualityCode: 29, label: 'null address, soft code 29' },
    ];
  }
  // A missing address is invalid only through a hard code (30: "no address specified").
  return [
    { email: null, emailQualityCode: 30, label: 'null address, hard code 30' },
    { email: '', emailQualityCode: 31, label: 'empty address, hard code 31' },
  ];
}

function combos(categories: (boolean | null)[]): Combo[] {
  const out: Combo[] = [];
  for (const channel of [true, false])
    for (const present of [true, false])
      for (const valid of [true, false]) for (const category of categories) out.push({ channel, present, valid, category });
  return out;
}

function check(c: Combo): void {
  const expected = expectedReasons(c);
  for (const v of addressVariants(c.present, c.valid)) {
    const facts: EligibilityFacts = {
      emailChannelActive: c.channel,
      email: v.email,
      emailQualityCode: v.emailQualityCode,
      categorySubscribed: c.category,
    };
    assert.deepEqual(skipReasons(facts), expected, `${JSON.stringify(c)}, ${v.label}`);
  }
}

describe('skipReasons (the Send e-mail eligibility rule)', () => {
  const withCategory = combos([true, false]);

  it('covers all 16 combinations of channel, address present, address valid and category', () => {
    assert.equal(withCategory.length, 16);
    assert.equal(new Set(withCategory.map((c) => JSON.stringify(c))).size, 16);
  });

  for (const c of withCategory) {
    const expected = expectedReasons(c);
    it(`${JSON.stringify(c)} -> ${expected.length ? expected.join(', ') : 'sendable'}`, () => check(c));
  }

  it('without a mailing category (categorySubscribed null) the category never fails', () => {
    for (const c of combos([null])) check(c);
  });

  it('the quality code boundary: 29 is sendable, 30 is invalid', () => {
    const facts = (code: number): EligibilityFacts => ({
      emailChannelActive: true,
      email: 'ann@example.com',
      emailQualityCode: code,
      categorySubscribed: true,
    });
    assert.deepEqual(skipReasons(facts(29)), []);
    assert.deepEqual(skipReasons(facts(30)), ['email_invalid']);
  });

  it('all four reasons at once come in the fixed order', () => {
    assert.deepEqual(skipReasons({ emailChannelActive: false, email: null, emailQualityCode: 30, categorySubscribed: false }), [
      'email_channel_unsubscribed',
      'email_missing',
      'email_invalid',
      'category_unsubscribed',
    ]);
  });
});
