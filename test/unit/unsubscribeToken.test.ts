import assert from 'node:assert/strict';
import { signUnsubscribeToken, unsubscribeLink, verifyUnsubscribeToken } from '../../src/email/unsubscribeToken';

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
