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
import { registerPreview } from './preview';
import { registerReplay } from './replay';
import { registerRun } from './run';
import { registerServe } from './serve';
import { registerStop } from './stop';
import { registerWhy } from './why';

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
  registerPreview(program);
  registerWhy(program);
  registerReplay(program);
  registerServe(program);
  program
    .command('worker')
    .description('run a worker (configured by environment variables)')
    .action(() => runWorker());
  return program;
}

const EXPECTED = [UsageError, ConfigError, CampaignValidationError, CustomerImportError, JsonSyntaxError];

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'];
// Postgres' own codes for a database that does not exist, and for refused credentials.
const PG_CODES = ['3D000', '28P01', '28000'];

/**
 * A database or a Temporal server the CLI cannot use: one line naming the setting to check. Never the database URL, which
 * may hold a password; Postgres' and the network's own words name the host and the database.
 */
export function unreachableMessage(err: unknown, temporalAddress: () => string | undefined): string | undefined {
  const e = err as { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } | null;
  const message = String(e?.message ?? err).split('\n')[0];
  const codes = [e?.code, ...(Array.isArray(e?.errors) ? e.errors.map((x) => x?.code) : [])];
  if (
    codes.some((c) => typeof c === 'string' && PG_CODES.includes(c)) ||
    (/^connect /.test(message) && codes.some((c) => NETWORK_CODES.includes(String(c))))
  )
    return `the database cannot be used (DATABASE_URL): ${message}`;
  // The Temporal client: grpc's "Failed to connect before the deadline", or a call that found no server (14 UNAVAILABLE).
  if (/Failed to connect before the deadline/.test(message) || e?.code === 14 || /^14 UNAVAILABLE/.test(message))
    return `Temporal cannot be reached at ${temporalAddress() ?? '?'} (TEMPORAL_ADDRESS): ${message}`;
  return undefined;
}

function configuredTemporalAddress(): string | undefined {
  try {
    return loadConfig().temporalAddress;
  } catch {
    return undefined;
  }
}

if (require.main === module || require.main?.filename.endsWith('campaign-runner.js')) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err) => {
      // Input mistakes get their message alone; anything else gets the stack too.
      const unreachable = unreachableMessage(err, configuredTemporalAddress);
      if (EXPECTED.some((E) => err instanceof E) || err?.code === 'ENOENT') console.error(`error: ${err.message}`);
      else if (unreachable) console.error(`error: ${unreachable}`);
      else console.error(err);
      process.exit(1);
    });
}
