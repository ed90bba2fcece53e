import knexFactory, { Knex } from 'knex';
import path from 'node:path';
import { Client } from 'pg';

export type Db = Knex;

/**
 * `quiet`: knex does not print its own warnings (a failed connection attempt with its stack): for the CLI, which says
 * what went wrong in one line of its own.
 */
export function createDb(databaseUrl: string, pool: { min?: number; max?: number } = {}, o: { quiet?: boolean } = {}): Db {
  const silent = () => undefined;
  return knexFactory({
    client: 'pg',
    connection: databaseUrl,
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    ...(o.quiet ? { log: { warn: silent, error: silent, deprecate: silent, debug: silent } } : {}),
  });
}

// Migrations are compiled with the rest of the code; knex reads the .js files next to this module.
export const migrationConfig: Knex.MigratorConfig = {
  directory: path.join(__dirname, 'migrations'),
  loadExtensions: ['.js'],
  tableName: 'knex_migrations',
};

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}

/** Creates the database named in the URL if it does not exist (connects to the server's `postgres` db to do so). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`DATABASE_URL: database name "${name}" must be [A-Za-z0-9_]+`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

/** Drops and recreates a database: used by the tests only, on their own database. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name) || ['postgres', 'test', 'template0', 'template1'].includes(name)) {
    throw new Error(`refusing to recreate database "${name}"`);
  }
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}
