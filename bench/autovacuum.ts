// Autovacuum's work, done by the bench where the Postgres it runs on has autovacuum off (this machine's:
// /etc/postgresql/15/main/conf.d/90-ci.conf), so that a long run sees the database a deployment would have.
import { Client as PgClient } from 'pg';

/**
 * Without it, tables are never analyzed nor vacuumed. Never analyzed, they are planned from defaults: the flow
 * control's count over Temporal's visibility table then reads every run of the namespace (measured on a copy of that
 * schema: 205 ms at 100,500 runs, against 1.8 ms through its status index once analyzed). Never vacuumed, every update
 * leaves its old row and index entries behind: Temporal's visibility database grew 40 MiB per 1,000 runs (a row is
 * written three times, with some 50 indexes). So every 60 s (autovacuum's naptime) each table of each database past
 * autovacuum's default thresholds is vacuumed (dead rows above 50 + 20 % of its rows) or analyzed (rows changed since
 * the last analyze above 50 + 10 %), as autovacuum would. Its CPU is Postgres's, as autovacuum's would be.
 */
export function emulateAutovacuum(databaseUrl: string, databases: string[], log: (...a: unknown[]) => void) {
  const done = { vacuums: 0, analyzes: 0 };
  const round = async () => {
    for (const name of databases) {
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      const pg = new PgClient({ connectionString: url.toString() });
      await pg.connect();
      try {
        const { rows } = await pg.query(
          `select format('%I.%I', schemaname, relname) as t,
                  n_dead_tup > 50 + 0.2 * n_live_tup as vacuum, n_mod_since_analyze > 50 + 0.1 * n_live_tup as analyze
             from pg_stat_user_tables`,
        );
        for (const r of rows as { t: string; vacuum: boolean; analyze: boolean }[]) {
          if (r.vacuum) await pg.query(`vacuum ${r.analyze ? '(analyze) ' : ''}${r.t}`);
          else if (r.analyze) await pg.query(`analyze ${r.t}`);
          done.vacuums += Number(r.vacuum);
          done.analyzes += Number(r.analyze);
        }
      } finally {
        await pg.end();
      }
    }
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(round).catch((err: Error) => log(`autovacuum's work failed: ${err.message}`));
  }, 60_000);
  return {
    /** stops, once the round under way (if any) is done; returns the tables vacuumed and analyzed so far */
    stop: async () => (clearInterval(timer), await running, done),
  };
}
