import { strict as assert } from 'node:assert';
import { domainToASCII } from 'node:url';
import { asciiEmail, isValidEmail, isValidSenderEmail, normalizeEmail } from '../../src/email/address';
import { validateMailSend } from '../../dev/sendgridValidation';
import { ADDRESS_EXAMPLES } from '../fixtures/addressExamples';

const isAscii = (s: string) => [...s].every((c) => c.charCodeAt(0) < 0x80);

/** The fake's verdict on an address as the recipient, and as the sender. */
function fakeAccepts(address: string, as: 'to' | 'from'): boolean {
  const body = {
    personalizations: [{ to: [{ email: as === 'to' ? address : 'someone@example.com' }] }],
    from: { email: as === 'from' ? address : 'news@shop.example.com' },
    subject: 'Hello',
    content: [{ type: 'text/plain', value: 'hi' }],
  };
  return validateMailSend(body, { customArgsMaxBytes: 10_000, nowSeconds: 0 }).length === 0;
}

describe('isValidEmail: the published examples (test/fixtures/addressExamples.ts, shown in docs/campaigns.md)', () => {
  for (const { address, valid, why, shown } of ADDRESS_EXAMPLES) {
    const name = `${valid ? 'accepts' : 'rejects'} ${shown ?? address} (${why})`;
    it(name, () => {
      assert.equal(isValidEmail(address), valid, 'isValidEmail');
      // The fake must agree, or it would refuse what eligibility lets through (or accept what SendGrid refuses).
      assert.equal(fakeAccepts(address, 'to'), valid, 'the SendGrid fake, as a recipient');
      // SendGrid refuses Unicode in `from`: a sender address must also be ASCII (its domain in the xn-- form).
      assert.equal(isValidSenderEmail(address), valid && isAscii(address), 'isValidSenderEmail');
      assert.equal(fakeAccepts(address, 'from'), valid && isAscii(address), 'the SendGrid fake, as the sender');
    });
  }
});

describe('isValidEmail: lengths', () => {
  it('accepts exactly 320 chars and rejects 321', () => {
    const domain = `${Array.from({ length: 4 }, () => 'd'.repeat(63)).join('.')}.com`; // 259 chars
    const local = 'l'.repeat(64);
    const at320 = `${local}@${domain}`;
    assert.equal(at320.length, 64 + 1 + 259);
    // 324 > 320: trim the first label to land exactly on 320.
    const exact = `${local}@${'d'.repeat(59)}${domain.slice(63)}`;
    assert.equal(exact.length, 320);
    assert.equal(isValidEmail(exact), true);
    assert.equal(isValidEmail(`${local}@${'d'.repeat(60)}${domain.slice(63)}`), false);
  });

  it('measures the domain in its xn-- form: 255 characters at most', () => {
    // Three labels of 63, then 'ü' × k, whose xn-- form ("xn--tda" + "a" × (k - 1)) is k + 6 long, then ".de".
    const domain = (k: number) => `${Array.from({ length: 3 }, () => 'd'.repeat(63)).join('.')}.${'ü'.repeat(k)}.de`;
    assert.equal(domainToASCII(domain(54)).length, 255);
    assert.equal(isValidEmail(`a@${domain(54)}`), true);
    assert.equal(domainToASCII(domain(55)).length, 256);
    assert.equal(domain(55).length, 250, 'as written it would fit');
    assert.equal(isValidEmail(`a@${domain(55)}`), false);
  });
});

describe('asciiEmail', () => {
  it('writes the domain in its xn-- form and keeps the local part as it is', () => {
    assert.equal(asciiEmail('Ivan@Почта.РФ'), 'Ivan@xn--80a1acny.xn--p1ai');
    assert.equal(asciiEmail('user@xn--bcher-kva.de'), 'user@xn--bcher-kva.de');
    assert.equal(asciiEmail('Alice@Example.COM'), 'Alice@example.com');
  });

  it('leaves an invalid address alone', () => {
    assert.equal(asciiEmail('ex%41@ex%41.com'), 'ex%41@ex%41.com');
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    assert.equal(normalizeEmail('  Alice.Smith@Example.COM \n'), 'alice.smith@example.com');
  });

  it('gives both forms of an internationalised domain the same key', () => {
    assert.equal(normalizeEmail('User@BÜCHER.de'), normalizeEmail('user@xn--bcher-kva.de'));
  });
});
