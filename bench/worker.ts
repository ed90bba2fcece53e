// The benchmark's worker process: the production campaign workers (same factory, same tuning variables) plus a floor
// worker on its own queue. The parent samples this process's memory and asks it, over IPC, for the floor timestamps.
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/knex';
import { createSendGridMailer } from '../src/email/mailer';
import { tuningFromEnv } from '../src/temporal/tuning';
import { createCampaignWorkers } from '../src/temporal/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const db = createDb(config.databaseUrl, { max: Number(process.env.DB_POOL_MAX ?? 10) });
  const mailer = createSendGridMailer({ apiKey: config.sendgridApiKey, baseUrl: config.sendgridBaseUrl, timeoutMs: config.sendgridTimeoutMs });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const client = new Client({ connection: await Connection.connect({ address: config.temporalAddress }), namespace: config.temporalNamespace });
  const tuning = tuningFromEnv();
  const campaign = await createCampaignWorkers({
    connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, launchTaskQueue: config.launchTaskQueue, tuning,
    activities: createActivities({ db, mailer, sendLeaseMs: config.sendgridTimeoutMs + 5_000, client, taskQueue: config.taskQueue }),
  });
  const floorTimes: Record<string, number> = {};
  const floor = await Worker.create({
    connection, namespace: config.temporalNamespace, taskQueue: process.env.FLOOR_TASK_QUEUE!, ...tuning,
    // Bundled by the parent, so that webpack's memory does not count against this worker.
    workflowBundle: { codePath: process.env.FLOOR_BUNDLE! },
    activities: {
      async noop() {
        const t = Date.now();
        floorTimes[Context.current().info.workflowExecution!.workflowId] = t;
        return t;
      },
    },
  });
  process.on('message', (m) => {
    if (m === 'floor-times') process.send!({ floorTimes });
  });
  const running = Promise.all([campaign.run(), floor.run()]);
  process.send!('ready');
  process.on('disconnect', () => {
    campaign.shutdown();
    floor.shutdown();
  });
  await running;
  await db.destroy();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
