import { strict as assert } from 'node:assert';
import { isValidEmail, normalizeEmail } from '../../src/email/address';

describe('isValidEmail', () => {
  const valid = [
    'alice@example.com',
    'Alice.Smith@Example.COM',
    'a+tag@sub.example.co.uk',
    "o'brien@example.ie",
    "x!#$%&'*+/=?^_`{|}~-y@example.com",
    'a@b-c.example.io',
    `${'a'.repeat(64)}@example.com`,
    '1@example.museum',
  ];
  const invalid: Array<[string, string]> = [
    ['', 'empty'],
    ['alice', 'no @'],
    ['alice@@example.com', 'two @'],
    ['a@b@example.com', 'two @ apart'],
    ['@example.com', 'empty local part'],
    ['alice@', 'empty domain'],
    ['alice@localhost', 'single-label domain'],
    ['alice@example.c', 'one-letter TLD'],
    ['alice@example.123', 'numeric TLD'],
    ['alice@192.168.0.1', 'IP address'],
    ['.alice@example.com', 'leading dot'],
    ['alice.@example.com', 'trailing dot'],
    ['al..ice@example.com', 'double dot'],
    ['alice@-example.com', 'label with leading hyphen'],
    ['alice@example-.com', 'label with trailing hyphen'],
    ['alice@exa_mple.com', 'underscore in domain'],
    ['alice@example..com', 'empty label'],
    ['alice@.example.com', 'leading dot in domain'],
    ['al ice@example.com', 'space'],
    [' alice@example.com', 'leading space'],
    ['alice@example.com\n', 'trailing newline'],
    ['"al ice"@example.com', 'quoted local part'],
    ['alice(comment)@example.com', 'comment'],
    ['Alice <alice@example.com>', 'display name form'],
    ['jörg@example.com', 'non-ASCII local part'],
    ['alice@exämple.com', 'non-ASCII domain'],
    ['alice;bob@example.com', 'semicolon'],
    ['alice,bob@example.com', 'comma'],
    [`${'a'.repeat(65)}@example.com`, 'local part over 64'],
    [`a@${'b'.repeat(64)}.com`, 'label over 63'],
    [`a@${Array.from({ length: 80 }, () => 'abcd').join('.')}.com`, 'over 320 chars'],
  ];

  for (const s of valid) it(`accepts ${JSON.stringify(s)}`, () => assert.equal(isValidEmail(s), true));
  for (const [s, why] of invalid) it(`rejects ${why}`, () => assert.equal(isValidEmail(s), false));

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
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    assert.equal(normalizeEmail('  Alice.Smith@Example.COM \n'), 'alice.smith@example.com');
  });
});
