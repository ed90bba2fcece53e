import assert from 'node:assert/strict';
import { qualityForBounce, qualityForDeferred, qualityForDropped } from '../../src/email/deliveryQuality';

describe('SmartCom quality codes from SendGrid events', () => {
  const hard: [string, string, number][] = [
    ['5.1.1', '550 5.1.1 The email account that you tried to reach does not exist', 32],
    ['5.0.0', '550 Requested action not taken: mailbox unavailable', 32],
    ['5.1.2', '550 5.1.2 Host unknown', 39],
    ['5.4.4', '550 5.4.4 Unrouteable address', 39],
    ['5.0.0', 'Domain does not exist', 39],
    ['5.1.3', '553 5.1.3 Bad recipient address syntax', 31],
    ['5.7.1', '550 5.7.1 Message rejected due to local policy', 35],
    ['5.0.0', '554 Your IP is on a block list', 35],
    ['5.7.1', '550 5.7.1 Sender blocked by recipient', 37],
    ['5.0.0', 'Something else entirely', 33],
    ['', '', 33],
  ];
  for (const [status, reason, code] of hard) {
    it(`bounce ${status || '(no status)'} "${reason}" → ${code}`, () => {
      assert.deepEqual(qualityForBounce({ type: 'bounce', status, reason }), { kind: 'hard', code });
    });
  }
  it('a permanent "mailbox full" or "too large" bounce is the soft code: the address is fine', () => {
    assert.deepEqual(qualityForBounce({ type: 'bounce', status: '5.2.2', reason: 'mailbox full' }), { kind: 'soft', code: 3 });
    assert.deepEqual(qualityForBounce({ type: 'bounce', status: '5.3.4', reason: 'message too big' }), { kind: 'soft', code: 4 });
  });
  it('blocked and 4.x.x bounces are soft', () => {
    assert.deepEqual(qualityForBounce({ type: 'blocked', status: '4.7.0', reason: 'try later' }), { kind: 'soft', code: 1 });
    assert.deepEqual(qualityForBounce({ type: 'bounce', status: '4.2.2', reason: 'over quota' }), { kind: 'soft', code: 3 });
    assert.deepEqual(qualityForBounce({ type: 'blocked', status: '4.4.7', reason: 'timed out' }), { kind: 'soft', code: 5 });
  });
  it('deferred reads the status out of the response', () => {
    assert.deepEqual(qualityForDeferred({ response: '452 4.2.2 Mailbox full' }), { kind: 'soft', code: 3 });
    assert.deepEqual(qualityForDeferred({ response: '451 4.4.3 DNS lookup failed' }), { kind: 'soft', code: 2 });
    assert.deepEqual(qualityForDeferred({ response: '421 try again' }), { kind: 'soft', code: 1 });
  });
  it('dropped: Invalid 31, Bounced Address 33, Spam Reporting Address 36 and the channel; others nothing', () => {
    assert.deepEqual(qualityForDropped('Invalid'), { kind: 'hard', code: 31 });
    assert.deepEqual(qualityForDropped('Bounced Address'), { kind: 'hard', code: 33 });
    assert.deepEqual(qualityForDropped('Spam Reporting Address'), { kind: 'hard', code: 36, unsubscribe: 'channel' });
    for (const r of ['Unsubscribed Address', 'Spam Content', 'Invalid SMTPAPI header', undefined]) assert.equal(qualityForDropped(r), null);
  });
});
