import type { Command } from 'commander';
import { loadConfig, publicUrl } from '../config';
import { createDb } from '../db/knex';
import { startService } from '../service/app';
import { lazyClient } from '../temporal/connection';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service: SendGrid event webhook, unsubscribe links, /healthz, /readyz')
    .action(async () => {
      const config = loadConfig();
      const db = createDb(config.databaseUrl, { max: config.dbPoolMax });
      // Lazy: the service starts, and takes events, while Temporal is away; only the signals to waiting checks wait.
      const temporal = lazyClient(config);
      const service = await startService(config, db, { temporal });
      console.log(`campaign-runner service on ${service.url} (public URL ${publicUrl(config)})`);
      if (!config.service.webhookPublicKey) console.log('no SENDGRID_WEBHOOK_PUBLIC_KEY: the webhook answers 503 (loopback only)');
      const { previousUntil } = config.unsubscribe;
      if (previousUntil)
        console.log(
          `unsubscribe links signed with UNSUBSCRIBE_SECRET_PREVIOUS: ${previousUntil > new Date() ? 'accepted' : 'refused since'} until ${previousUntil.toISOString()}`,
        );
      const stop = () => {
        service
          .close()
          .then(() => db.destroy())
          .then(() => temporal.connection.close())
          .then(
            () => process.exit(0),
            () => process.exit(1),
          );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
