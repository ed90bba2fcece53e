/**
 * Drives the SendGrid fake with the REAL @sendgrid/mail + @sendgrid/client, wired
 * the way notes/sendgrid-v3.md §3 prescribes (setApiKey BEFORE setting baseUrl,
 * because setApiKey resets baseUrl). Raw invalid bodies go through
 * client.request(), which the Mail helper would otherwise refuse to build.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import { startSendGridFake, type SendGridFake, type FakeOptions } from '../../dev/sendgridFake';

const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.';
const FROM = 'news@shop.example.com';

function makeClient(fake: SendGridFake, apiKey: string | null = 'SG.fake-key'): Client {
  const client = new Client();
  if (apiKey !== null) client.setApiKey(apiKey);
  client.setDefaultRequest('baseUrl', fake.url); // after setApiKey, which resets baseUrl
  return client;
}

function makeMail(fake: SendGridFake, apiKey?: string | null): { mail: MailService; client: Client } {
  const client = makeClient(fake, apiKey);
  const mail = new MailService();
  mail.setClient(client);
  return { mail, client };
}

const basic = (to = 'alice@example.com') => ({
  to,
  from: FROM,
  subject: 'Hello',
  text: 'plain body',
  html: '<p>html body</p>',
});

/** A valid raw v3 body, for client.request() tests. */
const rawBody = (extra: Record<string, unknown> = {}) => ({
  personalizations: [{ to: [{ email: 'alice@example.com' }] }],
  from: { email: FROM },
  subject: 'Hello',
  content: [{ type: 'text/plain', value: 'hi' }],
  ...extra,
});

/** Resolves to the rejection reason; fails the test if the promise resolves. */
async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected the promise to reject');
}

async function sendRaw(client: Client, body: unknown): Promise<any> {
  return rejection(client.request({ method: 'POST', url: '/v3/mail/send', body }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SendGrid v3 fake', () => {
  let fake: SendGridFake;
  let mail: MailService;
  let client: Client;

  async function restart(opts: FakeOptions = {}): Promise<void> {
    await fake.close();
    fake = await startSendGridFake({ port: 0, ...opts });
    ({ mail, client } = makeMail(fake));
  }

  beforeEach(async () => {
    fake = await startSendGridFake({ port: 0 });
    ({ mail, client } = makeMail(fake));
  });
  afterEach(async () => {
    await fake.close();
  });

  describe('success', () => {
    it('accepts a valid send with 202, an X-Message-Id and a recorded message', async () => {
      const [res] = await mail.send({ ...basic(), headers: { 'X-Campaign': 'spring' }, customArgs: { send_id: 's1' } });
      assert.equal(res.statusCode, 202);
      const id = res.headers['x-message-id'];
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      const accepted = fake.accepted();
      assert.equal(accepted.length, 1);
      assert.equal(accepted[0].messageId, id);
      assert.equal(accepted[0].apiKey, 'SG.fake-key');
      assert.deepEqual(accepted[0].body.personalizations[0].to, [{ email: 'alice@example.com' }]);
      assert.deepEqual(accepted[0].body.custom_args, { send_id: 's1' });
      assert.deepEqual(accepted[0].body.headers, { 'X-Campaign': 'spring' });
      assert.equal(fake.requests().length, 1);
      assert.equal(fake.requests()[0].status, 202);
    });

    it('issues a fresh message id per request', async () => {
      const [a] = await mail.send(basic());
      const [b] = await mail.send(basic());
      assert.notEqual(a.headers['x-message-id'], b.headers['x-message-id']);
    });

    it('answers sandbox mode with 200 and records nothing as accepted', async () => {
      const [res] = await mail.send({ ...basic(), mailSettings: { sandboxMode: { enable: true } } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-message-id'], undefined);
      assert.equal(fake.accepted().length, 0);
      assert.equal(fake.requests()[0].status, 200);
    });

    it('still validates in sandbox mode', async () => {
      const err = await sendRaw(client, rawBody({ subject: '', mail_settings: { sandbox_mode: { enable: true } } }));
      assert.equal(err.code, 400);
    });
  });

  describe('auth', () => {
    it('401 authorization required without an Authorization header', async () => {
      const { mail: anon } = makeMail(fake, null);
      const err = await rejection(anon.send(basic()));
      assert.equal(err.code, 401);
      assert.deepEqual(err.response.body, { errors: [{ message: 'authorization required', field: null, help: null }] });
    });

    it('401 for an unknown key', async () => {
      const { mail: bad } = makeMail(fake, 'SG.not-a-key');
      const err = await rejection(bad.send(basic()));
      assert.equal(err.code, 401);
      assert.deepEqual(err.response.body.errors, [
        { message: 'The provided authorization grant is invalid, expired, or revoked', field: null, help: null },
      ]);
      assert.equal(fake.accepted().length, 0);
      assert.equal(fake.requests()[0].status, 401);
    });

    it('403 access forbidden for a key without mail.send', async () => {
      await restart({ keysWithoutSendScope: ['SG.read-only'] });
      const { mail: ro } = makeMail(fake, 'SG.read-only');
      const err = await rejection(ro.send(basic()));
      assert.equal(err.code, 403);
      assert.deepEqual(err.response.body.errors, [{ message: 'access forbidden', field: null, help: null }]);
    });

    it('403 Sender Identity for an unverified from, case-insensitive match otherwise', async () => {
      await restart({ verifiedSenders: ['News@Shop.Example.com'] });
      const [ok] = await mail.send(basic());
      assert.equal(ok.statusCode, 202);
      const err = await rejection(mail.send({ ...basic(), from: 'other@shop.example.com' }));
      assert.equal(err.code, 403);
      assert.equal(err.response.body.errors[0].field, 'from');
      assert.equal(err.response.body.errors[0].help, null);
      assert.match(err.response.body.errors[0].message, /^The from address does not match a verified Sender Identity\./);
      assert.equal(fake.accepted().length, 1);
    });
  });

  describe('validation', () => {
    it('returns every violation in one 400 with exact texts, fields and help URLs', async () => {
      const err = await sendRaw(client, {
        personalizations: [{ to: [{ email: 'not-an-address' }] }],
        from: { email: 'bad@' },
        content: [{ type: 'text/plain', value: '' }],
      });
      assert.equal(err.code, 400);
      assert.deepEqual(err.response.body, {
        errors: [
          { message: 'Does not contain a valid address.', field: 'personalizations.0.to.0.email', help: `${HELP}personalizations.to` },
          { message: 'The from email does not contain a valid address.', field: 'from.email', help: `${HELP}from` },
          {
            message:
              'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
            field: 'subject',
            help: `${HELP}subject`,
          },
          {
            message: 'The content value must be a string at least one character in length.',
            field: 'content.0.value',
            help: `${HELP}content.value`,
          },
        ],
      });
      assert.equal(fake.requests()[0].status, 400);
      assert.equal(fake.accepted().length, 0);
    });

    it('rejects a duplicate between to and bcc (case-insensitive), naming the first duplicate', async () => {
      const err = await rejection(mail.send({ ...basic('alice@example.com'), bcc: 'Alice@Example.com' }));
      assert.equal(err.code, 400);
      assert.deepEqual(err.response.body.errors, [
        {
          message:
            'Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [Alice@Example.com] in the personalizations.0.bcc field.',
          field: 'personalizations.0',
          help: `${HELP}recipient-errors`,
        },
      ]);
    });

    it('allows the same address in different personalizations', async () => {
      const [res] = await mail.send({ ...basic(), to: ['a@example.com', 'a@example.com'] }, true);
      assert.equal(res.statusCode, 202);
    });

    it('rejects a bcc-only message with the `to` text (the client always emits to: [])', async () => {
      const { to: _to, ...noTo } = basic();
      const err = await rejection(mail.send({ ...noTo, bcc: 'hidden@example.com' } as any));
      assert.equal(err.code, 400);
      assert.deepEqual(err.response.body.errors, [
        {
          message:
            'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
          field: 'personalizations.0.to',
          help: `${HELP}personalizations.to`,
        },
      ]);
    });

    it('rejects html content followed by text (the client appends text after content)', async () => {
      const err = await rejection(
        mail.send({
          to: 'alice@example.com',
          from: FROM,
          subject: 'Hi',
          content: [{ type: 'text/html', value: '<p>x</p>' }],
          text: 'x',
        } as any),
      );
      assert.equal(err.code, 400);
      assert.deepEqual(err.response.body.errors, [
        {
          message:
            'Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.',
          field: 'content',
          help: `${HELP}content.value`,
        },
      ]);
    });

    it('rejects an empty bcc array with the exact bcc text', async () => {
      const err = await sendRaw(
        client,
        rawBody({
          personalizations: [{ to: [{ email: 'alice@example.com' }], bcc: [] }],
        }),
      );
      assert.deepEqual(err.response.body.errors, [
        {
          message:
            'The bcc array, when used, must at least have an email parameter with a valid email address and it may also contain a name parameter. e.g. {"email" : "example@example.com"} or {"email" : "example@example.com", "name" : "Example Recipient"}.',
          field: 'personalizations.0.bcc',
          help: `${HELP}personalizations.bcc`,
        },
      ]);
    });

    it('reports wrong JSON types and missing personalizations/from', async () => {
      const err = await sendRaw(client, { subject: 'x', content: { type: 'text/plain', value: 'x' } });
      const got = err.response.body.errors.map((e: any) => [e.field, e.message]);
      assert.deepEqual(got, [
        ['personalizations', 'You must have at least one personalization.'],
        [
          'from.email',
          'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter. e.g. {"email" : "example@example.com"} or {"email" : "example@example.com", "name" : "Example Recipient"}.',
        ],
        ['content', 'Invalid type. Expected: array, given: object.'],
      ]);
    });

    it('flags unknown keys such as raw camelCase replyTo and attachments[].contentId', async () => {
      const err = await sendRaw(client, rawBody({ replyTo: { email: 'r@example.com' } }));
      assert.equal(err.response.body.errors.length, 1);
      assert.equal(err.response.body.errors[0].field, 'replyTo');
      assert.match(err.response.body.errors[0].message, /Unknown field "replyTo".*did you mean "reply_to"/);

      // The Node client converts top-level keys but not keys inside array items.
      const err2 = await rejection(
        mail.send({
          ...basic(),
          attachments: [{ content: 'aGVsbG8=', filename: 'a.txt', contentId: 'x' } as any],
        }),
      );
      assert.deepEqual(
        err2.response.body.errors.map((e: any) => e.field),
        ['attachments.0.contentId'],
      );
    });

    it('enforces the remaining §1 rules', async () => {
      const now = Math.floor(Date.now() / 1000);
      const err = await sendRaw(
        client,
        rawBody({
          personalizations: [
            {
              to: [{ email: 'alice@example.com', name: 'Smith, Alice' }],
              cc: [{ email: 'c@example.com' }],
              subject: '',
              custom_args: { n: 1 },
              send_at: now + 73 * 3600,
            },
          ],
          reply_to: { email: 'r@example.com' },
          reply_to_list: [{ email: 'r@example.com' }],
          categories: ['a', 'a', 'é', 'x'.repeat(256), '5', '6', '7', '8', '9', '10', '11'],
          headers: { 'Reply-To': 'x@example.com', 'X-Num': 5 },
          send_at: 1.5,
          attachments: [{ content: 'not base64!', filename: 'a;b.txt', disposition: 'attached' }],
          mail_settings: { sandbox_mode: { enable: 'true' } },
          tracking_settings: { click_tracking: { enable: 1 } },
          asm: { group_id: '5' },
        }),
      );
      const got = err.response.body.errors.map((e: any) => `${e.field}: ${e.message}`);
      const expected = [
        "personalizations.0.to.0.name: The to name may not contain the characters ';' or ','.",
        'personalizations.0.subject: The subject of your email must be a string at least one character in length.',
        'personalizations.0.send_at: Scheduling more than 72 hours in advance is forbidden.',
        'personalizations.0.custom_args: All values of custom arguments object must be strings',
        'reply_to: reply_to is mutually exclusive with reply_to_list.',
        'attachments.0.content: The attachment content must be base64 encoded.',
        'attachments.0.filename: The filename of your attachment cannot contain CRLF characters.',
        'attachments.0.disposition: The disposition of your attachment can be either "inline" or "attachment". You provided attached.',
        'headers: The header values must be strings.',
        'headers: Header can not be one of the reserved keys.',
        'categories: There is a limit of 10 categories for each email that is sent. You provided 11 categories.',
        'categories: The categories must be a unique list, and you have included a more than once.',
        'categories: Categories can not contain non-ASCII characters.',
        `categories: Each category must not be longer than 255 characters. ${'x'.repeat(256)} exceeds this limit`,
        'send_at: The send_at parameter is expecting a Unix timestamp as an integer. We will send immediately if you include a send_at timestamp that is in the past.',
        'asm.group_id: The ASM group ID must be an integer.',
        'mail_settings.sandbox_mode.enable: The sandbox mode enable param should be a boolean value.',
        'tracking_settings.click_tracking.enable: The click tracking enable param should be a boolean value.',
      ];
      assert.deepEqual([...got].sort(), [...expected].sort());
    });

    it('caps merged custom_args at customArgsMaxBytes', async () => {
      await restart({ customArgsMaxBytes: 100 });
      const err = await sendRaw(
        client,
        rawBody({
          custom_args: { a: 'x'.repeat(50) },
          personalizations: [{ to: [{ email: 'alice@example.com' }], custom_args: { b: 'y'.repeat(50) } }],
        }),
      );
      assert.deepEqual(
        err.response.body.errors.map((e: any) => [e.field, e.message]),
        [
          [
            'personalizations.0.custom_args',
            'The combined size of both global and personalization custom arguments may not exceed 100 bytes per personalization.',
          ],
        ],
      );
    });

    it('accepts a template send without subject or content and a past send_at', async () => {
      const [res] = await mail.send({
        to: 'alice@example.com',
        from: FROM,
        templateId: 'd-123',
        dynamicTemplateData: { name: 'A' },
        sendAt: Math.floor(Date.now() / 1000) - 60,
      });
      assert.equal(res.statusCode, 202);
    });

    it('limits total recipients to 1000 per request', async () => {
      const to = Array.from({ length: 1001 }, (_, i) => ({ email: `u${i}@example.com` }));
      const err = await sendRaw(client, rawBody({ personalizations: [{ to }] }));
      assert.deepEqual(
        err.response.body.errors.map((e: any) => e.message),
        ['There is a limit of 1000 total recipients (to + cc + bcc) per request.'],
      );
    });
  });

  describe('faults', () => {
    it("'429' answers with X-RateLimit-* (reset in epoch seconds, no Retry-After) once", async () => {
      fake.injectFault({ kind: '429', resetInSeconds: 30 });
      const before = Math.floor(Date.now() / 1000);
      const err = await rejection(mail.send(basic()));
      assert.equal(err.code, 429);
      assert.deepEqual(err.response.body, { errors: [{ field: null, message: 'too many requests' }] });
      const h = err.response.headers;
      assert.equal(h['x-ratelimit-remaining'], '0');
      assert.ok(Number(h['x-ratelimit-limit']) > 0);
      const reset = Number(h['x-ratelimit-reset']);
      assert.ok(Number.isInteger(reset));
      assert.ok(reset >= before + 29 && reset <= before + 31, `reset ${reset} should be ~now+30 s in epoch seconds`);
      assert.equal(h['retry-after'], undefined);
      assert.equal(fake.requests()[0].fault, '429');

      const [ok] = await mail.send(basic()); // consumed: the next request goes through
      assert.equal(ok.statusCode, 202);
    });

    it("'500' and '503' with their texts; faults fire before validation", async () => {
      fake.injectFault({ kind: '500' });
      fake.injectFault({ kind: '503' });
      const e500 = await sendRaw(client, { not: 'valid' });
      assert.equal(e500.code, 500);
      assert.deepEqual(e500.response.body.errors, [{ message: 'internal server error', field: null, help: null }]);
      const e503 = await rejection(mail.send(basic()));
      assert.equal(e503.code, 503);
      assert.deepEqual(e503.response.body.errors, [{ message: 'The SendGrid v3 Web API is not available.', field: null, help: null }]);
      assert.equal(fake.accepted().length, 0);
    });

    it("'400-duplicate' answers the duplicate-recipient 400 quoting the first recipient as sent, before validation", async () => {
      fake.injectFault({ kind: '400-duplicate', to: 'bob@example.com' });
      const err = await rejection(mail.send({ ...basic('Bob@Example.com'), bcc: 'audit@shop.example.com' }));
      assert.equal(err.code, 400);
      assert.deepEqual(err.response.body.errors, [
        {
          message:
            'Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [Bob@Example.com] in the personalizations.0.bcc field.',
          field: 'personalizations.0',
          help: `${HELP}recipient-errors`,
        },
      ]);
      assert.equal(fake.accepted().length, 0);
      assert.equal(fake.requests()[0].fault, '400-duplicate');
      assert.equal((await mail.send(basic('bob@example.com')))[0].statusCode, 202); // consumed
    });

    it('faults filter on the first recipient and honour times', async () => {
      fake.injectFault({ kind: '500', to: 'BOB@example.com', times: 2 });
      assert.equal((await mail.send(basic('alice@example.com')))[0].statusCode, 202);
      assert.equal((await rejection(mail.send(basic('bob@example.com')))).code, 500);
      assert.equal((await rejection(mail.send(basic('bob@example.com')))).code, 500);
      assert.equal((await mail.send(basic('bob@example.com')))[0].statusCode, 202);
    });

    it("'slow' past the client timeout → ECONNABORTED without response, and the message it received is accepted all the same", async () => {
      mail.setTimeout(100);
      fake.injectFault({ kind: 'slow', delayMs: 400 });
      const err = await rejection(mail.send(basic()));
      assert.equal(err.code, 'ECONNABORTED');
      assert.equal(err.response, undefined);
      assert.equal(fake.accepted().length, 0, 'not before the delay');
      await sleep(500);
      assert.equal(fake.accepted().length, 1, 'SendGrid keeps a request that reached it in full');
      assert.deepEqual(
        fake.requests().map((r) => [r.status, r.fault]),
        [[0, 'slow']],
      );
    });

    it("'slow' and a client that aborts after writing its request: the message is accepted", async () => {
      fake.injectFault({ kind: 'slow', delayMs: 300 });
      const abort = new AbortController();
      const body = JSON.stringify(rawBody());
      const req = http.request(`${fake.url}/v3/mail/send`, {
        method: 'POST',
        headers: { Authorization: 'Bearer SG.fake-key', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        signal: abort.signal,
      });
      req.on('error', () => undefined);
      req.end(body);
      await sleep(100);
      abort.abort();
      await sleep(400);
      assert.equal(fake.accepted().length, 1);
    });

    it("'slow' within the client timeout answers normally", async () => {
      fake.injectFault({ kind: 'slow', delayMs: 50 });
      const [res] = await mail.send(basic());
      assert.equal(res.statusCode, 202);
      assert.equal(fake.accepted().length, 1);
    });

    it("'drop' destroys the socket: error without response, nothing accepted", async () => {
      fake.injectFault({ kind: 'drop' });
      const err = await rejection(mail.send(basic()));
      assert.equal(err.response, undefined);
      assert.equal(err.code, 'ECONNRESET'); // axios: "socket hang up"
      assert.equal(fake.accepted().length, 0);
      assert.deepEqual(
        fake.requests().map((r) => [r.status, r.fault]),
        [[0, 'drop']],
      );
    });

    it("'accept-then-500' records the mail but the client sees 500", async () => {
      fake.injectFault({ kind: 'accept-then-500' });
      const err = await rejection(mail.send(basic()));
      assert.equal(err.code, 500);
      assert.equal(fake.accepted().length, 1);
      assert.equal(fake.requests()[0].fault, 'accept-then-500');
    });

    it("'accept-then-*' validates first and stays queued for an invalid request", async () => {
      fake.injectFault({ kind: 'accept-then-500' });
      const bad = await sendRaw(client, rawBody({ subject: '' }));
      assert.equal(bad.code, 400);
      assert.equal((await rejection(mail.send(basic()))).code, 500);
    });

    it("'accept-then-slow' records on arrival; a timed-out client has still sent the mail", async () => {
      mail.setTimeout(100);
      fake.injectFault({ kind: 'accept-then-slow', delayMs: 400 });
      const err = await rejection(mail.send(basic()));
      assert.equal(err.code, 'ECONNABORTED');
      assert.equal(fake.accepted().length, 1);
    });

    it("'accept-then-slow' answers 202 with the recorded id after the delay", async () => {
      fake.injectFault({ kind: 'accept-then-slow', delayMs: 100 });
      const started = Date.now();
      const [res] = await mail.send(basic());
      assert.ok(Date.now() - started >= 90);
      assert.equal(res.statusCode, 202);
      assert.equal(res.headers['x-message-id'], fake.accepted()[0].messageId);
    });

    describe('fault rates', () => {
      /** The fault each of `n` requests met ('' for none), sent one after another. */
      async function faultsOf(n: number): Promise<string[]> {
        for (let i = 0; i < n; i++) await mail.send(basic(`r${i}@example.com`)).catch(() => undefined);
        return fake.requests().map((r) => r.fault ?? '');
      }

      it('hit about the given share of requests per kind, drawn from the seed, so the same seed draws the same faults', async () => {
        fake.setFaultRates({ rates: { '500': 0.2, '503': 0.1 }, seed: 7 });
        const first = await faultsOf(300);
        const count = (k: string) => first.filter((f) => f === k).length;
        assert.ok(count('500') >= 35 && count('500') <= 85, `500 hit ${count('500')} of 300, expected about 60`);
        assert.ok(count('503') >= 12 && count('503') <= 50, `503 hit ${count('503')} of 300, expected about 30`);
        assert.equal(fake.accepted().length, 300 - count('500') - count('503'));

        await restart();
        fake.setFaultRates({ rates: { '500': 0.2, '503': 0.1 }, seed: 7 });
        assert.deepEqual(await faultsOf(300), first);
        await restart();
        fake.setFaultRates({ rates: { '500': 0.2, '503': 0.1 }, seed: 8 });
        assert.notDeepEqual(await faultsOf(300), first);
      });

      it('use the given delay and rate-limit reset, and accept-then-* kinds still accept', async () => {
        mail.setTimeout(200);
        fake.setFaultRates({ rates: { 'accept-then-slow': 1 }, delayMs: 400 });
        assert.equal((await rejection(mail.send(basic()))).code, 'ECONNABORTED');
        assert.equal(fake.accepted().length, 1);
        fake.setFaultRates({ rates: { '429': 1 }, resetInSeconds: 20 });
        const err = await rejection(mail.send(basic()));
        assert.equal(err.code, 429);
        const reset = Number(err.response.headers['x-ratelimit-reset']);
        assert.ok(Math.abs(reset - (Math.floor(Date.now() / 1000) + 20)) <= 1, `reset ${reset} should be ~now+20 s`);
      });

      it('come after queued faults, stop when cleared, and are cleared by reset()', async () => {
        fake.setFaultRates({ rates: { '503': 1 } });
        fake.injectFault({ kind: '500' });
        assert.equal((await rejection(mail.send(basic()))).code, 500);
        assert.equal((await rejection(mail.send(basic()))).code, 503);
        fake.setFaultRates(null);
        assert.equal((await mail.send(basic()))[0].statusCode, 202);
        fake.setFaultRates({ rates: { '503': 1 } });
        fake.reset();
        assert.equal((await mail.send(basic()))[0].statusCode, 202);
      });

      it('refuse shares that add up to more than 1, in-process and over HTTP', async () => {
        assert.throws(() => fake.setFaultRates({ rates: { '500': 0.6, '503': 0.5 } }), /add up to at most 1/);
        const bad = await fetch(`${fake.url}/__fake/fault-rates`, {
          method: 'POST',
          body: JSON.stringify({ rates: { '500': 0.6, '503': 0.5 } }),
        });
        assert.equal(bad.status, 400);
        assert.match(JSON.stringify(await bad.json()), /add up to at most 1/);
        const ok = await fetch(`${fake.url}/__fake/fault-rates`, { method: 'POST', body: JSON.stringify({ rates: { '503': 1 } }) });
        assert.equal(ok.status, 204);
        assert.equal((await rejection(mail.send(basic()))).code, 503);
      });
    });

    it('close() does not hang on a pending slow request', async () => {
      fake.injectFault({ kind: 'slow', delayMs: 60_000 });
      const pending = rejection(mail.send(basic()));
      await sleep(50);
      await fake.close();
      const err = await pending;
      assert.equal(err.response, undefined);
      fake = await startSendGridFake({ port: 0 }); // for afterEach
    });
  });

  describe('HTTP surface and control API', () => {
    const auth = { Authorization: 'Bearer SG.fake-key', 'Content-Type': 'application/json' };

    it('405 for other methods on /v3/mail/send, 404 for other paths', async () => {
      const r405 = await fetch(`${fake.url}/v3/mail/send`, { headers: auth });
      assert.equal(r405.status, 405);
      assert.deepEqual(await r405.json(), { errors: [{ message: 'method not allowed', field: null, help: null }] });
      const r404 = await fetch(`${fake.url}/v3/mail/batch`, { method: 'POST', headers: auth, body: '{}' });
      assert.equal(r404.status, 404);
      assert.ok(Array.isArray(((await r404.json()) as any).errors));
    });

    it('400 Bad Request with field null for a non-JSON body', async () => {
      const r = await fetch(`${fake.url}/v3/mail/send`, { method: 'POST', headers: auth, body: '{nope' });
      assert.equal(r.status, 400);
      assert.deepEqual(await r.json(), { errors: [{ message: 'Bad Request', field: null, help: null }] });
    });

    it('413 for a body over 30 MB', async () => {
      const big = JSON.stringify(rawBody({ attachments: [{ content: 'A'.repeat(31 * 1024 * 1024), filename: 'big.bin' }] }));
      const r = await fetch(`${fake.url}/v3/mail/send`, { method: 'POST', headers: auth, body: big });
      assert.equal(r.status, 413);
      assert.equal(fake.accepted().length, 0);
    });

    it('queues faults, lists messages and requests, and resets over HTTP', async () => {
      const f = await fetch(`${fake.url}/__fake/faults`, { method: 'POST', body: JSON.stringify({ kind: '503' }) });
      assert.equal(f.status, 201);
      assert.equal((await rejection(mail.send(basic()))).code, 503);
      const [ok] = await mail.send(basic());

      const messages = (await (await fetch(`${fake.url}/__fake/messages`)).json()) as any[];
      assert.equal(messages.length, 1);
      assert.equal(messages[0].messageId, ok.headers['x-message-id']);
      assert.equal(messages[0].body.subject, 'Hello');
      const requests = (await (await fetch(`${fake.url}/__fake/requests`)).json()) as any[];
      assert.deepEqual(
        requests.map((r) => r.status),
        [503, 202],
      );

      const bad = await fetch(`${fake.url}/__fake/faults`, { method: 'POST', body: JSON.stringify({ kind: '418' }) });
      assert.equal(bad.status, 400);

      await fetch(`${fake.url}/__fake/faults`, { method: 'POST', body: JSON.stringify({ kind: '500' }) });
      const reset = await fetch(`${fake.url}/__fake/reset`, { method: 'POST' });
      assert.equal(reset.status, 204);
      assert.equal(fake.accepted().length, 0);
      assert.equal(fake.requests().length, 0);
      assert.equal((await mail.send(basic()))[0].statusCode, 202); // the queued 500 was cleared
    });

    it('reset() clears data and faults in-process', async () => {
      fake.injectFault({ kind: '500' });
      await mail.send({ ...basic(), to: 'x@example.com' }).catch(() => undefined);
      fake.reset();
      assert.equal(fake.requests().length, 0);
      assert.equal((await mail.send(basic()))[0].statusCode, 202);
    });

    it('refuses to listen on a non-loopback host', async () => {
      await assert.rejects(startSendGridFake({ host: '0.0.0.0' }), /loopback/);
    });
  });
});
