// What one run costs besides CPU, for the benchmark's profile of a run: the project database's transactions and row
// writes per run (pg_stat_database of the bench's own database: every statement the worker sends outside a transaction
// is one), and the event types in one measured run's history (workflow tasks, activity tasks, search-attribute upserts).
import type { Client } from '@temporalio/client';
import type { Db } from '../src/db/knex';

export interface DbStats {
  xacts: number;
  inserted: number;
  updated: number;
}

export async function dbStats(db: Db): Promise<DbStats> {
  const { rows } = await db.raw(
    `select xact_commit + xact_rollback as xacts, tup_inserted as inserted, tup_updated as updated
       from pg_stat_database where datname = current_database()`,
  );
  return { xacts: Number(rows[0].xacts), inserted: Number(rows[0].inserted), updated: Number(rows[0].updated) };
}

/** Per run since `before`, after the backends' statistics had time to reach the collector (flushed within a second). */
export async function dbWork(db: Db, before: DbStats, runs: number): Promise<Record<string, number>> {
  await new Promise((r) => setTimeout(r, 1500));
  const after = await dbStats(db);
  const per = (k: keyof DbStats) => Math.round(((after[k] - before[k]) / runs) * 100) / 100;
  // The bench's own reads (this function's) are a handful in all: noise at N runs.
  return {
    'db:transactions per run': per('xacts'),
    'db:rows inserted per run': per('inserted'),
    'db:rows updated per run': per('updated'),
  };
}

/** Event types of one measured run's history (the floor's first run; any one of the campaign's runs), as `history:<type>`. */
export async function historyShape(client: Client, kind: 'floor' | 'campaign', tag: string): Promise<Record<string, number>> {
  let workflowId = `floor-${tag}-0`;
  if (kind === 'campaign') {
    for await (const w of client.workflow.list({ query: `LaunchId="${tag}" AND WorkflowType="campaignRun"`, pageSize: 1 })) {
      workflowId = w.workflowId;
      break;
    }
  }
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const out: Record<string, number> = {};
  for (const e of history.events ?? []) {
    // The event's type by the one attributes field it carries (workflowTaskCompletedEventAttributes: WorkflowTaskCompleted).
    const attrs = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null);
    const type = `history:${attrs ? attrs[0].toUpperCase() + attrs.slice(1, -'EventAttributes'.length) : String(e.eventType)}`;
    out[type] = (out[type] ?? 0) + 1;
  }
  return out;
}
