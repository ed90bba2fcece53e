// TLS to the Temporal frontend: the four TEMPORAL_TLS_* variables (the names the temporal CLI and Temporal Web read too)
// become the SDK's TLS settings; a half-configured client certificate or a file that is not what it should be stops the
// process with one line naming the variable. The image check runs the containers against a server that requires mTLS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { temporalClientTlsEnv, TLS_FILES, TLS_SERVER_NAME } from '../../dev/topology';
import { ROOT } from '../support/paths';
import { temporalConnectionOptions } from '../../src/temporal/connection';

describe('TLS to the Temporal frontend', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'temporal-tls-'));
    execFileSync('bash', [path.join(ROOT, 'scripts', 'temporal-certs.sh'), dir], { stdio: 'ignore' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refusal = (env: NodeJS.ProcessEnv): string => {
    try {
      temporalConnectionOptions(loadConfig(env));
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.message.split('\n').length, 1, err.message);
      return err.message;
    }
    assert.fail(`accepted ${JSON.stringify(env)}`);
  };

  it('is off when no TEMPORAL_TLS_* variable is set', () => {
    assert.deepEqual(temporalConnectionOptions(loadConfig({})), { address: '127.0.0.1:7233' });
  });

  it('gives the SDK the CA, the client certificate and key, and the server name', () => {
    const { tls } = temporalConnectionOptions(loadConfig(temporalClientTlsEnv(dir)));
    assert.ok(tls && typeof tls === 'object');
    assert.equal(tls.serverNameOverride, TLS_SERVER_NAME);
    assert.match(String(tls.serverRootCACertificate), /BEGIN CERTIFICATE/);
    assert.match(String(tls.clientCertPair?.crt), /BEGIN CERTIFICATE/);
    assert.match(String(tls.clientCertPair?.key), /BEGIN PRIVATE KEY/);
  });

  it('wants the client certificate and its key together', () => {
    const env = temporalClientTlsEnv(dir);
    assert.match(refusal({ ...env, TEMPORAL_TLS_KEY: undefined }), /^TEMPORAL_TLS_KEY is required: TEMPORAL_TLS_CERT is set/);
    assert.match(refusal({ ...env, TEMPORAL_TLS_CERT: undefined }), /^TEMPORAL_TLS_CERT is required: TEMPORAL_TLS_KEY is set/);
  });

  it('names the variable whose file cannot be read or is not PEM', () => {
    const env = temporalClientTlsEnv(dir);
    const garbage = path.join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    assert.match(
      refusal({ ...env, TEMPORAL_TLS_CA: path.join(dir, 'absent.pem') }),
      /^TEMPORAL_TLS_CA=".*absent\.pem" cannot be read \(ENOENT\)$/,
    );
    assert.match(refusal({ ...env, TEMPORAL_TLS_CERT: garbage }), /^TEMPORAL_TLS_CERT=".*" is not valid: expected a PEM certificate$/);
    assert.match(
      refusal({ ...env, TEMPORAL_TLS_KEY: path.join(dir, TLS_FILES.clientCert) }),
      /^TEMPORAL_TLS_KEY=".*" is not valid: expected a PEM private key$/,
    );
  });
});
