import assert from 'node:assert/strict';
import { addressRedactor, redactSendGridRejection, redactStrings } from '../../src/email/redact';

const redact = addressRedactor({
  to: 'Ann.Lee@Customer.example.org',
  bcc: ['audit@shop.example.com', 'a@shop.example.com'],
  from: 'news@shop.example.com',
  replyTo: 'care@shop.example.com',
});

describe('address redaction in SendGrid texts', () => {
  it("replaces each of the message's addresses by its role, whatever its case", () => {
    assert.equal(
      redact('[ann.lee@customer.EXAMPLE.org] [AUDIT@shop.example.com] [a@shop.example.com] news@shop.example.com, care@shop.example.com.'),
      '[<to>] [<bcc>] [<bcc>] <from>, <reply_to>.',
    );
  });

  it('an address with two roles is named by the first (to before bcc)', () => {
    const r = addressRedactor({ to: 'x@example.com', bcc: ['X@example.com'] });
    assert.equal(r('duplicate instance of [X@Example.com]'), 'duplicate instance of [<to>]');
  });

  it('replaces any other address-like text, also when it contains one of the addresses', () => {
    assert.equal(redact('ba@shop.example.com'), '<address>', 'a@shop.example.com is not replaced inside it');
    assert.equal(redact('a@shop.example.com.evil.net'), '<address>');
    assert.equal(
      redact('from "x+y@other.example" e.g. {"email" : "example@example.com"}'),
      'from "<address>" e.g. {"email" : "<address>"}',
    );
    assert.equal(redact('José.Ñúñez@correo.example.es'), '<address>');
    assert.equal(addressRedactor({ to: '' })('no address here, nor in 18567@vm'), 'no address here, nor in 18567@vm');
  });

  it('redacts every string of a JSON value, without changing the original', () => {
    const body = { errors: [{ message: 'dup [Ann.Lee@Customer.example.org]', field: 'personalizations.0', help: null, n: 1 }] };
    assert.deepEqual(redactStrings(body, redact), {
      errors: [{ message: 'dup [<to>]', field: 'personalizations.0', help: null, n: 1 }],
    });
    assert.equal(body.errors[0].message, 'dup [Ann.Lee@Customer.example.org]');
  });

  it("redacts a client rejection's message and answer body in place", () => {
    const err = Object.assign(new Error('Bad Request'), {
      code: 400,
      response: { headers: {}, body: { errors: [{ message: 'x [audit@shop.example.com]' }] } },
    });
    assert.equal(redactSendGridRejection(err, redact), err);
    assert.deepEqual(err.response.body, { errors: [{ message: 'x [<bcc>]' }] });
    const net = redactSendGridRejection(
      Object.assign(new Error('connect to ann.lee@customer.example.org failed'), { code: 'ECONNRESET' }),
      redact,
    );
    assert.equal(net.message, 'connect to <to> failed');
  });
});
