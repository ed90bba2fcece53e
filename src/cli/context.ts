// Lazily opened connections for CLI commands, closed once the command ends.
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { createDb, type Db } from '../db/knex';
import { connectClient } from '../temporal/connection';

export class CliContext {
  readonly config: Config = loadConfig();
  private dbHandle?: Db;
  private clientHandle?: Client;

  db(): Db {
    this.dbHandle ??= createDb(this.config.databaseUrl, { max: 5 }, { quiet: true });
    return this.dbHandle;
  }

  async client(): Promise<Client> {
    this.clientHandle ??= await connectClient(this.config);
    return this.clientHandle;
  }

  async close(): Promise<void> {
    await this.dbHandle?.destroy();
    await this.clientHandle?.connection.close();
  }
}

/** An error meant for the person at the terminal: printed without a stack trace. */
export class UsageError extends Error {}

export async function withContext(fn: (ctx: CliContext) => Promise<void>): Promise<void> {
  const ctx = new CliContext();
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}
