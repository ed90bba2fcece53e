// The campaign worker. Scale out by running more of these against the same Temporal cluster and database.
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig } from './config';
import { createDb } from './db/knex';
import { createSendGridMailer } from './email/mailer';
import { createCampaignWorker } from './temporal/worker';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const db = createDb(config.databaseUrl, { max: Number(process.env.DB_POOL_MAX ?? 10) });
  const mailer = createSendGridMailer({ apiKey: config.sendgridApiKey, baseUrl: config.sendgridBaseUrl, timeoutMs: config.sendgridTimeoutMs });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const worker = await createCampaignWorker({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      activities: createActivities({ db, mailer, sendLeaseMs: config.sendgridTimeoutMs + 5_000 }),
    });
    console.log(`worker polling task queue "${config.taskQueue}" on ${config.temporalAddress} (namespace ${config.temporalNamespace})`);
    await worker.run(); // until SIGINT/SIGTERM: the SDK shuts down gracefully on those signals
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
