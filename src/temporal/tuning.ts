import type { CampaignWorkerOptions } from './worker';

function num(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Worker tuning from the environment (README: "Configuration"); unset values keep the SDK's defaults. */
export function tuningFromEnv(env: NodeJS.ProcessEnv = process.env): NonNullable<CampaignWorkerOptions['tuning']> {
  const t: NonNullable<CampaignWorkerOptions['tuning']> = {};
  const acts = num(env, 'WORKER_MAX_CONCURRENT_ACTIVITIES');
  const wfts = num(env, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS');
  const cache = num(env, 'WORKER_MAX_CACHED_WORKFLOWS');
  if (acts) t.maxConcurrentActivityTaskExecutions = acts;
  if (wfts) t.maxConcurrentWorkflowTaskExecutions = wfts;
  if (cache) t.maxCachedWorkflows = cache;
  return t;
}
