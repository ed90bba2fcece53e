// loadConfig: a bad value stops the process with one line per variable, naming it, its value and the form it expects;
// sendgridApiKey: the fake's key is used only against a SendGrid endpoint on loopback.
import assert from 'node:assert/strict';
import { ConfigError, FAKE_SENDGRID_KEY, loadConfig, sendgridApiKey } from '../../src/config';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives the defaults when nothing is set, and treats empty strings as unset', () => {
    for (const env of [{}, { DB_POOL_MAX: '', WORKER_ROLES: '', SENDGRID_API_KEY: '', LAUNCH_TASK_QUEUE: '' }]) {
      const c = loadConfig(env);
      assert.equal(c.temporalAddress, '127.0.0.1:7233');
      assert.equal(c.dbPoolMax, 10);
      assert.deepEqual(c.workerRoles, ['runs', 'launches']);
      assert.equal(c.sendgrid.apiKey, undefined);
      assert.equal(c.launchTaskQueue, 'campaign-runner-launches');
      assert.deepEqual(c.tuning, {});
    }
  });

  it('parses good values', () => {
    const c = loadConfig({
      DB_POOL_MAX: '25',
      TASK_QUEUE: 'q1',
      WORKER_ROLES: ' launches ,launches',
      LOG_LEVEL: 'warn',
      WORKER_MAX_CACHED_WORKFLOWS: '200',
      DATABASE_URL: 'postgresql://u@db:5432/x',
    });
    assert.equal(c.dbPoolMax, 25);
    assert.equal(c.launchTaskQueue, 'q1-launches');
    assert.deepEqual(c.workerRoles, ['launches']);
    assert.equal(c.logLevel, 'WARN');
    assert.deepEqual(c.tuning, { maxCachedWorkflows: 200 });
    assert.equal(c.databaseUrl, 'postgresql://u@db:5432/x');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['DB_POOL_MAX', 'abc', /a whole number above 0/],
    ['DB_POOL_MAX', '0', /a whole number above 0/],
    ['SENDGRID_TIMEOUT_MS', '1.5', /a whole number above 0/],
    ['SENDGRID_FAKE_PORT', '70000', /a port number \(1-65535\)/],
    ['TEMPORAL_ADDRESS', 'nohost', /host:port/],
    ['TEMPORAL_NAMESPACE', 'a b', /letters, digits and _ \. : -/],
    ['WORKER_ROLES', 'runs,bogus', /a comma-separated list of runs, launches/],
    ['WORKER_ROLES', 'runs,bogus,other', /a comma-separated list of runs, launches/],
    ['DATABASE_URL', 'mysql://x', /a postgres:\/\/ URL/],
    ['TEST_DATABASE_URL', 'http://x', /a postgres:\/\/ URL/],
    ['TEMPORAL_WEB_URL', 'ftp://x', /an http\(s\) URL/],
    ['SENDGRID_BASE_URL', 'nope', /an http\(s\) URL/],
    ['LOG_LEVEL', 'loud', /TRACE, DEBUG, INFO, WARN, ERROR/],
  ];
  for (const [name, value, form] of bad) {
    it(`${name}=${value}: one line naming the variable, its value and the expected form`, () => {
      const lines = configError({ [name]: value }).message.split('\n');
      assert.equal(lines.length, 1, `one line, got:\n${lines.join('\n')}`);
      assert.ok(lines[0].startsWith(`${name}=${JSON.stringify(value)} is not valid: expected `), lines[0]);
      assert.match(lines[0], form);
    });
  }

  it('names every bad variable at once', () => {
    const lines = configError({ DB_POOL_MAX: 'abc', TEMPORAL_ADDRESS: 'nohost', DATABASE_URL: 'mysql://x' }).message.split('\n');
    assert.deepEqual(lines.map((l) => l.split('=')[0]).sort(), ['DATABASE_URL', 'DB_POOL_MAX', 'TEMPORAL_ADDRESS']);
  });
});

describe('sendgridApiKey', () => {
  const timeoutMs = 15_000;

  it('uses the configured key, whatever the endpoint', () => {
    assert.equal(sendgridApiKey({ apiKey: 'SG.real', baseUrl: undefined, timeoutMs }), 'SG.real');
    assert.equal(sendgridApiKey({ apiKey: 'SG.real', baseUrl: 'http://127.0.0.1:3030', timeoutMs }), 'SG.real');
  });

  it("uses the fake's key when no key is set and SENDGRID_BASE_URL is on loopback", () => {
    for (const baseUrl of ['http://127.0.0.1:3030', 'http://127.1.2.3:80', 'http://localhost:3030', 'http://[::1]:3030']) {
      assert.equal(sendgridApiKey({ apiKey: undefined, baseUrl, timeoutMs }), FAKE_SENDGRID_KEY, baseUrl);
    }
    assert.equal(FAKE_SENDGRID_KEY, 'SG.fake-key');
  });

  it("refuses to start without a key against SendGrid's own API", () => {
    assert.throws(
      () => sendgridApiKey(loadConfig({}).sendgrid),
      (err: Error) => err instanceof ConfigError && /^SENDGRID_API_KEY is required: SENDGRID_BASE_URL is unset/.test(err.message),
    );
  });

  it('refuses to start without a key against any other host, even one that looks local', () => {
    for (const baseUrl of [
      'https://api.sendgrid.com',
      'http://10.0.0.5:3030',
      'http://127.0.0.1.example.com',
      'http://localhost.example.com',
    ]) {
      assert.throws(
        () => sendgridApiKey(loadConfig({ SENDGRID_BASE_URL: baseUrl }).sendgrid),
        (err: Error) => err instanceof ConfigError && err.message.includes('SENDGRID_API_KEY is required') && err.message.includes(baseUrl),
        baseUrl,
      );
    }
  });
});
