// "Nothing was written": a digest of every row of the tables a command could write, taken before and after it.
import type { Db } from '../../src/db/knex';

/** The tables that CLI commands and imports write. */
export const WRITTEN_TABLES = [
  'customers',
  'channel_subscriptions',
  'category_subscriptions',
  'mailing_categories',
  'campaigns',
  'campaign_versions',
  'launch_audience',
  'send_ledger',
] as const;

/** Per table, its row count and an md5 of all its rows in a fixed order: any insert, update or delete changes it. */
export async function snapshotTables(db: Db, tables: readonly string[] = WRITTEN_TABLES): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await db.raw(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as digest from ?? t`,
      [table],
    );
    out[table] = `${rows[0].n} rows, md5 ${rows[0].digest}`;
  }
  return out;
}
