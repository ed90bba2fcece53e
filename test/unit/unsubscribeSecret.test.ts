// The built-in unsubscribe secret is public (it is in this repository): it may sign and check links only where nobody
// but this machine can follow them. The service must bind loopback; a worker's links must point to loopback and its
// e-mails go to a SendGrid endpoint on loopback. Anything else refuses to start with one line naming UNSUBSCRIBE_SECRET.
// Rotation: the service also accepts UNSUBSCRIBE_SECRET_PREVIOUS until UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL.
import assert from 'node:assert/strict';
import {
  ConfigError,
  LOOPBACK_UNSUBSCRIBE_SECRET,
  loadConfig,
  unsubscribeSettings,
  unsubscribeVerification,
  workerUnsubscribeSettings,
} from '../../src/config';
import { signUnsubscribeToken, verifyUnsubscribeTokenRotating } from '../../src/email/unsubscribeToken';

const SECRET = 's'.repeat(40);
const OLD = 'o'.repeat(40);

/** The one-line ConfigError a start-up check throws for this environment. */
function refusal(check: (c: ReturnType<typeof loadConfig>) => unknown, env: NodeJS.ProcessEnv): string {
  try {
    check(loadConfig(env));
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.message.split('\n').length, 1, err.message);
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('The unsubscribe secret of the service', () => {
  it('is the built-in one when the service binds loopback and its links point to loopback', () => {
    for (const env of [{}, { SERVICE_HOST: '127.0.0.1', PUBLIC_URL: 'http://127.0.0.1:3040' }, { SERVICE_HOST: '::1' }]) {
      assert.equal(unsubscribeSettings(loadConfig(env)).secret, LOOPBACK_UNSUBSCRIBE_SECRET, JSON.stringify(env));
    }
  });

  it('refuses to start on any other interface without UNSUBSCRIBE_SECRET, even with loopback links', () => {
    for (const env of [
      { SERVICE_HOST: '0.0.0.0', PUBLIC_URL: 'http://127.0.0.1:3040' },
      { SERVICE_HOST: '0.0.0.0' }, // the secret first, whatever else is missing
      { SERVICE_HOST: '::', PUBLIC_URL: 'http://localhost:3040' },
      { SERVICE_HOST: '10.0.0.5', PUBLIC_URL: 'http://127.0.0.1:3040' },
      { SERVICE_HOST: '0.0.0.0', PUBLIC_URL: 'https://mail.example.com' },
      { SERVICE_HOST: '127.0.0.1', PUBLIC_URL: 'https://mail.example.com' },
    ]) {
      assert.match(refusal(unsubscribeSettings, env), /^UNSUBSCRIBE_SECRET is required: /, JSON.stringify(env));
    }
  });

  it('uses UNSUBSCRIBE_SECRET when it is set, on any interface', () => {
    const c = loadConfig({ SERVICE_HOST: '0.0.0.0', PUBLIC_URL: 'https://mail.example.com', UNSUBSCRIBE_SECRET: SECRET });
    assert.equal(unsubscribeSettings(c).secret, SECRET);
  });
});

describe('The unsubscribe secret of a worker', () => {
  const loopbackSendGrid = { SENDGRID_BASE_URL: 'http://127.0.0.1:3030' };

  it('is the built-in one when its links point to loopback and its e-mails go to a SendGrid endpoint on loopback', () => {
    for (const env of [loopbackSendGrid, { ...loopbackSendGrid, PUBLIC_URL: 'http://localhost:3040' }]) {
      assert.equal(workerUnsubscribeSettings(loadConfig(env)).secret, LOOPBACK_UNSUBSCRIBE_SECRET, JSON.stringify(env));
    }
  });

  it('refuses to start without UNSUBSCRIBE_SECRET when a link or an e-mail leaves loopback, or the service does not bind it', () => {
    for (const env of [
      {}, // SendGrid's own API
      { PUBLIC_URL: 'http://127.0.0.1:3040' },
      { SENDGRID_BASE_URL: 'https://relay.example.com', PUBLIC_URL: 'http://127.0.0.1:3040' },
      { ...loopbackSendGrid, PUBLIC_URL: 'https://mail.example.com' },
      { ...loopbackSendGrid, SERVICE_HOST: '0.0.0.0', PUBLIC_URL: 'http://127.0.0.1:3040' },
    ]) {
      assert.match(refusal(workerUnsubscribeSettings, env), /^UNSUBSCRIBE_SECRET is required: /, JSON.stringify(env));
    }
  });

  it('with UNSUBSCRIBE_SECRET, still refuses loopback links in e-mails that leave loopback (they would lead nowhere)', () => {
    assert.match(refusal(workerUnsubscribeSettings, { UNSUBSCRIBE_SECRET: SECRET }), /^PUBLIC_URL is required: /);
    const c = loadConfig({ UNSUBSCRIBE_SECRET: SECRET, PUBLIC_URL: 'https://mail.example.com' });
    assert.deepEqual(workerUnsubscribeSettings(c), { publicUrl: 'https://mail.example.com', secret: SECRET });
  });
});

describe('Rotating the unsubscribe secret', () => {
  const claims = { customerId: 'c-1', categoryCode: null, sendKey: 'run/email' };
  const until = '2027-01-31T00:00:00Z';
  const rotating = { SERVICE_HOST: '0.0.0.0', PUBLIC_URL: 'https://mail.example.com', UNSUBSCRIBE_SECRET: SECRET };

  it('the service accepts links signed with the previous secret until the configured time, then refuses them', () => {
    const keys = unsubscribeVerification(
      loadConfig({ ...rotating, UNSUBSCRIBE_SECRET_PREVIOUS: OLD, UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL: until }),
    );
    assert.deepEqual(keys, { secret: SECRET, previous: { secret: OLD, until: new Date(until) } });
    const oldLink = signUnsubscribeToken(OLD, claims);
    const newLink = signUnsubscribeToken(SECRET, claims);
    const before = new Date('2027-01-30T23:59:59Z');
    const after = new Date('2027-01-31T00:00:00Z');
    assert.deepEqual(verifyUnsubscribeTokenRotating(keys, oldLink, before), claims);
    assert.equal(verifyUnsubscribeTokenRotating(keys, oldLink, after), null);
    assert.deepEqual(verifyUnsubscribeTokenRotating(keys, newLink, after), claims);
    assert.equal(verifyUnsubscribeTokenRotating(keys, signUnsubscribeToken('x'.repeat(40), claims), before), null);
  });

  it('accepts only the current secret when no previous one is set', () => {
    const keys = unsubscribeVerification(loadConfig(rotating));
    assert.deepEqual(keys, { secret: SECRET });
    assert.equal(verifyUnsubscribeTokenRotating(keys, signUnsubscribeToken(OLD, claims), new Date(0)), null);
  });

  it('refuses half a rotation with one line naming the variable', () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ ...rotating, UNSUBSCRIBE_SECRET_PREVIOUS: OLD }, /^UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL is required: /],
      [{ ...rotating, UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL: until }, /^UNSUBSCRIBE_SECRET_PREVIOUS is required: /],
      [{ ...rotating, UNSUBSCRIBE_SECRET_PREVIOUS: SECRET, UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL: until }, /^UNSUBSCRIBE_SECRET_PREVIOUS /],
      [
        { ...rotating, UNSUBSCRIBE_SECRET: undefined, UNSUBSCRIBE_SECRET_PREVIOUS: OLD, UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL: until },
        /^UNSUBSCRIBE_SECRET is required: /,
      ],
    ];
    for (const [env, line] of cases) assert.match(refusal(unsubscribeVerification, env), line, JSON.stringify(env));
  });

  it('checks the forms of the previous secret and of its end time', () => {
    assert.throws(
      () => loadConfig({ UNSUBSCRIBE_SECRET_PREVIOUS: 'short' }),
      (e: Error) => e instanceof ConfigError && /^UNSUBSCRIBE_SECRET_PREVIOUS="short" is not valid: expected at least 32/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL: 'next month' }),
      (e: Error) =>
        e instanceof ConfigError && /^UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL="next month" is not valid: expected an ISO 8601/.test(e.message),
    );
  });
});
