// SendGrid's refusals quote addresses; the mailer's errors must name the recipient's role instead, because their texts
// go into failures, the run result and the send ledger.
import assert from 'node:assert/strict';
import { startSendGridFake, type SendGridFake } from '../../dev/sendgridFake';
import { createSendGridMailer, SendGridRejectedError, type Mailer, type OutgoingEmail } from '../../src/email/mailer';

const TO = 'Ann.Lee+news@Customer.example.org';

function message(over: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: { email: TO, name: 'Ann Lee' },
    bcc: ['audit@shop.example.com'],
    from: { email: 'news@shop.example.com', name: 'Shop' },
    replyTo: { email: 'care@shop.example.com' },
    subject: 'Hello',
    html: '<p>Hi</p>',
    customArgs: { send_key: 'run/action' },
    ...over,
  };
}

async function rejected(mailer: Mailer, msg: OutgoingEmail): Promise<SendGridRejectedError> {
  try {
    await mailer.send(msg);
  } catch (err) {
    assert.ok(err instanceof SendGridRejectedError, `expected SendGridRejectedError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to be refused');
}

/** Every text the error carries, as it would reach a failure (message, stack, details). */
function textsOf(err: SendGridRejectedError): string {
  return [err.message, err.stack ?? '', ...err.messages].join('\n').toLowerCase();
}

describe('the mailer redacts addresses in SendGrid refusals', () => {
  let fake: SendGridFake;
  let mailer: Mailer;
  before(async () => {
    fake = await startSendGridFake({ port: 0 });
    mailer = createSendGridMailer({ apiKey: 'SG.fake-key', baseUrl: fake.url, timeoutMs: 5000 });
  });
  after(async () => fake.close());

  it('the duplicate-recipient 400 names <to> instead of the recipient', async () => {
    fake.injectFault({ kind: '400-duplicate', to: TO });
    const err = await rejected(mailer, message());
    assert.equal(err.status, 400);
    assert.equal(
      err.message,
      'SendGrid rejected the message (400): personalizations.0: Each email address in the personalization block should be unique ' +
        'between to, cc, and bcc. We found the first duplicate instance of [<to>] in the personalizations.0.bcc field.',
    );
    assert.ok(!textsOf(err).includes(TO.toLowerCase()), 'the address is gone from message, stack and messages');
  });

  it('a BCC address SendGrid quotes is named <bcc>', async () => {
    const err = await rejected(mailer, message({ bcc: ['audit@shop.example.com', 'Audit@Shop.example.com'] }));
    assert.match(err.message, /We found the first duplicate instance of \[<bcc>\] in the personalizations\.0\.bcc field\.$/);
    assert.ok(!textsOf(err).includes('audit@shop.example.com'));
  });
});
