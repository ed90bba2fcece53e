// Every setting comes from the environment, with defaults that fit the local stack (README: "Configuration").
export interface Config {
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  launchTaskQueue: string;
  databaseUrl: string;
  sendgridApiKey: string;
  sendgridBaseUrl: string | undefined; // undefined = the real SendGrid API
  sendgridTimeoutMs: number;
  temporalWebUrl: string;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    temporalAddress: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TASK_QUEUE || 'campaign-runner',
    launchTaskQueue: env.LAUNCH_TASK_QUEUE || `${env.TASK_QUEUE || 'campaign-runner'}-launches`,
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/campaign_runner',
    sendgridApiKey: env.SENDGRID_API_KEY || 'SG.fake-key',
    sendgridBaseUrl: env.SENDGRID_BASE_URL || undefined,
    sendgridTimeoutMs: intFromEnv(env, 'SENDGRID_TIMEOUT_MS', 15_000),
    temporalWebUrl: env.TEMPORAL_WEB_URL || 'http://127.0.0.1:8233',
  };
}
