import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

export async function connectClient(config: Pick<Config, 'temporalAddress' | 'temporalNamespace'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  return new Client({ connection, namespace: config.temporalNamespace });
}

/** Temporal Web's page for one run. */
export function webUrl(base: string, namespace: string, workflowId: string, runId?: string): string {
  const wf = encodeURIComponent(workflowId);
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${wf}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`;
}
