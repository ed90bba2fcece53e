import assert from 'node:assert/strict';
import {
  signUnsubscribeToken,
  TEST_SEND_CUSTOMER,
  testSendClaims,
  testSendOf,
  unsubscribeLink,
  verifyUnsubscribeToken,
} from '../../src/email/unsubscribeToken';
import { CUSTOMER_ID } from '../../src/cli/run';

describe('unsubscribe tokens', () => {
  const secret = 'x'.repeat(40);
  const claims = { customerId: 'c-001', categoryCode: 'news', sendKey: 'campaign-run:welcome:c-001/welcome-email' };

  it('round-trips ids only', () => {
    assert.deepEqual(verifyUnsubscribeToken(secret, signUnsubscribeToken(secret, claims)), claims);
    assert.deepEqual(verifyUnsubscribeToken(secret, signUnsubscribeToken(secret, { ...claims, categoryCode: null })), {
      ...claims,
      categoryCode: null,
    });
  });

  it('refuses any altered character, another secret, or another shape', () => {
    const t = signUnsubscribeToken(secret, claims);
    for (let i = 0; i < t.length; i++) {
      const c = t[i] === 'A' ? 'B' : 'A';
      const altered = t.slice(0, i) + c + t.slice(i + 1);
      if (altered !== t) assert.equal(verifyUnsubscribeToken(secret, altered), null, `position ${i}`);
    }
    assert.equal(verifyUnsubscribeToken(`${secret}y`, t), null);
    assert.equal(verifyUnsubscribeToken(secret, `${t}.x`), null);
    assert.equal(verifyUnsubscribeToken(secret, ''), null);
  });

  it('builds List-Unsubscribe with the URL, an optional mailto, and List-Unsubscribe-Post', () => {
    const link = unsubscribeLink({ publicUrl: 'https://mail.example.com/', secret, mailto: 'unsub@example.com' }, claims);
    assert.ok(link.url.startsWith('https://mail.example.com/unsubscribe/v1.'));
    assert.match(
      link.headers['List-Unsubscribe'],
      /^<https:\/\/mail\.example\.com\/unsubscribe\/v1\.[^>]+>, <mailto:unsub@example\.com\?subject=unsubscribe%20v1\.[^>]+>$/,
    );
    assert.equal(link.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  });
});

describe("test sends' unsubscribe tokens", () => {
  const secret = 'x'.repeat(40);

  it('have the same format, name the test send and a customer id no customer can have', () => {
    const claims = testSendClaims('17', 'news');
    const token = signUnsubscribeToken(secret, claims);
    assert.match(token, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(verifyUnsubscribeToken(secret, token), claims);
    assert.equal(testSendOf(claims), '17');
    assert.ok(!CUSTOMER_ID.test(TEST_SEND_CUSTOMER), 'the import refuses this id: a service from before test sends finds nobody');
  });

  it("a real send's claims are not a test send's", () => {
    assert.equal(testSendOf({ customerId: 'c-1', categoryCode: null, sendKey: 'test-send/1' }), null);
    assert.equal(testSendOf({ customerId: TEST_SEND_CUSTOMER, categoryCode: null, sendKey: 'campaign-run:x:y/a' }), null);
  });
});
