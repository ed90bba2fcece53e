import type { CampaignWorkerOptions } from './worker';

/**
 * Node flags every campaign worker process runs with (package.json "worker", the Dockerfile, the benchmark; a unit test
 * keeps them in step). V8 otherwise lets each heap grow up to 4x its live size between full collections: the worker's
 * live heap is ~35 MB, but its RSS went past 400 MB under load. Growing by 1.5x keeps peak RSS near 300 MB for no
 * measurable CPU (benchmark, 3,000 customers: 294 MB against 400-440 MB, worker CPU per run unchanged).
 */
export const WORKER_NODE_FLAGS = ['--heap-growing-percent=50'] as const;

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
