// The campaign worker process. Scale out by running more of these against the same Temporal cluster and database.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from './config';
import { createDb } from './db/knex';
import { assembleWorkers } from './temporal/worker';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  const db = createDb(config.databaseUrl, { max: config.dbPoolMax });
  try {
    const workers = await assembleWorkers({ config, db });
    const sends = workers.sendQueues?.polled().size ?? 0;
    console.log(
      `worker polling ${workers.queues.map((q) => `"${q}"`).join(' and ')} on ${config.temporalAddress} (namespace ${config.temporalNamespace})` +
        (sends ? `, and the sends queues of ${sends} campaign(s) with a messages-per-minute limit` : ''),
    );
    await workers.run(); // until SIGINT/SIGTERM: the SDK shuts down gracefully on those signals
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  runWorker().catch((err) => {
    // A configuration mistake is one clear line; anything else gets its stack.
    console.error(err?.name === 'ConfigError' ? `error: ${err.message}` : err);
    process.exit(1);
  });
}
