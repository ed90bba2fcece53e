// campaign-runner: the command line over the Temporal client and the database. One file per command group.
import { Command } from 'commander';
import { CampaignValidationError } from '../campaigns/validate';
import { JsonSyntaxError } from '../campaigns/load';
import { CustomerImportError } from '../db/customerImport';
import { createDb, ensureDatabase, migrateLatest } from '../db/knex';
import { ConfigError, loadConfig } from '../config';
import { runWorker } from '../worker';
import { registerCampaigns } from './campaigns';
import { registerCategories } from './categories';
import { UsageError } from './context';
import { registerCustomers } from './customers';
import { registerLaunch } from './launch';
import { registerReplay } from './replay';
import { registerRun } from './run';
import { registerServe } from './serve';
import { registerStop } from './stop';

export function buildProgram(): Command {
  const program = new Command('campaign-runner')
    .description('durable marketing campaigns on Temporal')
    // A usage mistake is one line (commander's "Did you mean ...?" joins it), and every subcommand inherits this.
    .configureOutput({ outputError: (message, write) => write(`${message.trim().replace(/\s*\n\s*/g, ' ')} (--help shows the usage)\n`) });
  program
    .command('migrate')
    .description('create the database if needed and apply the schema migrations')
    .action(async () => {
      const { databaseUrl } = loadConfig();
      await ensureDatabase(databaseUrl);
      const db = createDb(databaseUrl);
      try {
        const applied = await migrateLatest(db);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
      } finally {
        await db.destroy();
      }
    });
  registerCategories(program);
  registerCustomers(program);
  registerCampaigns(program);
  registerRun(program);
  registerLaunch(program);
  registerStop(program);
  registerReplay(program);
  registerServe(program);
  program
    .command('worker')
    .description('run a worker (configured by environment variables)')
    .action(() => runWorker());
  return program;
}

const EXPECTED = [UsageError, ConfigError, CampaignValidationError, CustomerImportError, JsonSyntaxError];

if (require.main === module || require.main?.filename.endsWith('campaign-runner.js')) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err) => {
      // Input mistakes get their message alone; anything else gets the stack too.
      if (EXPECTED.some((E) => err instanceof E) || err?.code === 'ENOENT') console.error(`error: ${err.message}`);
      else console.error(err);
      process.exit(1);
    });
}
