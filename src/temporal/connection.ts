import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { ConfigError, type Config, type TemporalTls } from '../config';

type TemporalSettings = Pick<Config, 'temporalAddress' | 'temporalNamespace' | 'temporalTls'>;

/** A PEM file named by a TEMPORAL_TLS_* variable, checked here so that a wrong file is one line, not a TLS failure. */
function pemFile(variable: string, file: string, kind: 'certificate' | 'key'): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${variable}="${file}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    if (kind === 'certificate') new X509Certificate(data);
    else createPrivateKey(data);
  } catch {
    throw new ConfigError(`${variable}="${file}" is not valid: expected a PEM ${kind === 'certificate' ? 'certificate' : 'private key'}`);
  }
  return data;
}

/** The SDK's TLS settings for the frontend (mTLS when a client certificate is configured); undefined: plaintext. */
export function temporalTlsConfig(tls: TemporalTls | undefined): TLSConfig | undefined {
  if (!tls) return undefined;
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.caPath ? { serverRootCACertificate: pemFile('TEMPORAL_TLS_CA', tls.caPath, 'certificate') } : {}),
    ...(tls.certPath && tls.keyPath
      ? {
          clientCertPair: {
            crt: pemFile('TEMPORAL_TLS_CERT', tls.certPath, 'certificate'),
            key: pemFile('TEMPORAL_TLS_KEY', tls.keyPath, 'key'),
          },
        }
      : {}),
  };
}

/** Where and how every connection to Temporal goes: the client's, the CLI's, the service's and the workers'. */
export function temporalConnectionOptions(config: Pick<Config, 'temporalAddress' | 'temporalTls'>): { address: string; tls?: TLSConfig } {
  const tls = temporalTlsConfig(config.temporalTls);
  return { address: config.temporalAddress, ...(tls ? { tls } : {}) };
}

export async function connectClient(config: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.temporalNamespace });
}

/** A client that connects on first use (and reconnects), so that a process does not depend on Temporal to start. */
export function lazyClient(config: TemporalSettings): Client {
  return new Client({ connection: Connection.lazy(temporalConnectionOptions(config)), namespace: config.temporalNamespace });
}

/** Temporal Web's page for one run. */
export function webUrl(base: string, namespace: string, workflowId: string, runId?: string): string {
  const wf = encodeURIComponent(workflowId);
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${wf}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`;
}
