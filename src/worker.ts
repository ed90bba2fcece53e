// The campaign worker. Scale out by running more of these against the same Temporal cluster and database.
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig } from './config';
import { createDb } from './db/knex';
import { createSendGridMailer } from './email/mailer';
import { tuningFromEnv } from './temporal/tuning';
import { createCampaignWorkers, type WorkerRole } from './temporal/worker';

function rolesFromEnv(raw: string | undefined): WorkerRole[] {
  const roles = (raw || 'runs,launches').split(',').map((r) => r.trim());
  for (const r of roles) if (r !== 'runs' && r !== 'launches') throw new Error(`WORKER_ROLES: unknown role "${r}" (runs, launches)`);
  return roles as WorkerRole[];
}

export async function runWorker(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger((process.env.LOG_LEVEL as LogLevel) || 'INFO') });
  const config = loadConfig();
  // Without a base URL the worker talks to SendGrid itself: the fake's default key would only earn endless 401s.
  if (!config.sendgridBaseUrl && !process.env.SENDGRID_API_KEY) {
    throw new Error('SENDGRID_API_KEY is required when SENDGRID_BASE_URL is not set (the real SendGrid API)');
  }
  const db = createDb(config.databaseUrl, { max: Number(process.env.DB_POOL_MAX ?? 10) });
  const mailer = createSendGridMailer({ apiKey: config.sendgridApiKey, baseUrl: config.sendgridBaseUrl, timeoutMs: config.sendgridTimeoutMs });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  // Launch pages start runs through a client on the workers' own connection: no second (JavaScript) gRPC stack in the
  // process, and eager start hands each new run's first task to this process's runs worker when it has one.
  const client = new Client({ connection, namespace: config.temporalNamespace });
  try {
    const roles = rolesFromEnv(process.env.WORKER_ROLES);
    const workers = await createCampaignWorkers({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      launchTaskQueue: config.launchTaskQueue,
      roles,
      tuning: tuningFromEnv(),
      activities: createActivities({ db, mailer, sendLeaseMs: config.sendgridTimeoutMs + 5_000, client, taskQueue: config.taskQueue, eagerStart: roles.includes('runs') }),
    });
    const queues = roles.map((r) => (r === 'runs' ? config.taskQueue : config.launchTaskQueue));
    console.log(`worker polling ${queues.map((q) => `"${q}"`).join(' and ')} on ${config.temporalAddress} (namespace ${config.temporalNamespace})`);
    await workers.run(); // until SIGINT/SIGTERM: the SDK shuts down gracefully on those signals
  } finally {
    await connection.close();
    await db.destroy();
  }
}

if (require.main === module) {
  runWorker().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
