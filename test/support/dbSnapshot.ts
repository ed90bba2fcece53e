// "Nothing was written": a fingerprint of the tables a command could write, taken before and after it.
import type { Db } from '../../src/db/knex';
import { testEnv } from './env';

/** The tables that CLI commands and imports write. */
export const WRITTEN_TABLES = [
  'customers',
  'channel_subscriptions',
  'category_subscriptions',
  'mailing_categories',
  'campaigns',
  'campaign_versions',
  'campaign_send_limits',
  'launch_audience',
  'send_ledger',
  'customer_tags_added',
] as const;

/**
 * Per table, its row count and the newest row version: an insert or an update writes a row version with a new
 * transaction id (xmin), a delete changes the count. A scan without sorting, so it stays cheap on the suite's tables.
 */
export async function snapshotTables(db: Db, tables: readonly string[] = WRITTEN_TABLES): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await db.raw('select count(*)::int as n, max(xmin::text::bigint)::text as newest from ??', [table]);
    out[table] = `${rows[0].n} rows, newest row version ${rows[0].newest}`;
  }
  return out;
}

/** Removes the customers whose ids start with `prefix` (a property test's own), with their subscriptions. */
export async function deleteCustomers(prefix: string): Promise<void> {
  const { db } = testEnv();
  const like = `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
  await db('category_subscriptions').where('customer_id', 'like', like).delete();
  await db('channel_subscriptions').where('customer_id', 'like', like).delete();
  await db('customers').where('external_id', 'like', like).delete();
}

/** Removes the campaigns whose ids start with `prefix`, with their versions (never run: nothing else refers to them). */
export async function deleteCampaigns(prefix: string): Promise<void> {
  const { db } = testEnv();
  const like = `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
  await db('campaign_versions').where('campaign_id', 'like', like).delete();
  await db('campaign_send_limits').where('campaign_id', 'like', like).delete();
  await db('campaigns').where('id', 'like', like).delete();
}
