import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

export async function connectClient(config: Pick<Config, 'temporalAddress' | 'temporalNamespace'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  return new Client({ connection, namespace: config.temporalNamespace });
}

/** A client that connects on first use (and reconnects), so that a process does not depend on Temporal to start. */
export function lazyClient(config: Pick<Config, 'temporalAddress' | 'temporalNamespace'>): Client {
  return new Client({ connection: Connection.lazy({ address: config.temporalAddress }), namespace: config.temporalNamespace });
}

/** Temporal Web's page for one run. */
export function webUrl(base: string, namespace: string, workflowId: string, runId?: string): string {
  const wf = encodeURIComponent(workflowId);
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${wf}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`;
}
