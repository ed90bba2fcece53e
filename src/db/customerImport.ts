// Customers come in as JSON Lines, one customer a line, read as a stream. An import is all or nothing: every bad line
// is reported by number and field (the first 100 listed, all counted), and a file with any bad line writes nothing.
// A known id merges: a field the line gives replaces the stored value, a field it leaves out keeps it.
//
// How: one transaction. Every line is checked on its own as it is read (customerLine.ts) and copied, 1,000 rows a
// statement, into a temporary staging table; duplicate ids are then found in SQL, and only a clean file is merged into
// the live tables, one statement per table. Staging rather than upserting as we read: duplicates anywhere in the file
// are found without holding every id in memory; the live tables are not touched (nor locked) until the whole file is
// known to be good; and each live row is written at most once, only when a value changes.
import { open } from 'node:fs/promises';
import type { Knex } from 'knex';
import { checkCustomerLine, IMPORT_LIMITS, type CategoryInfo, type CustomerLine, type ImportLineError } from './customerLine';
import { readLines } from './jsonLines';
import type { Db } from './knex';

export { IMPORT_LIMITS, checkCustomerLine, type CustomerLine, type ImportLineError } from './customerLine';

/** How many errors an import failure lists; all of them are counted. */
export const MAX_LISTED_ERRORS = 100;
const BATCH_ROWS = 1000;
const BATCH_BYTES = 4 * 1024 * 1024;

export class CustomerImportError extends Error {
  constructor(
    /** the first MAX_LISTED_ERRORS errors, by line */
    readonly errors: ImportLineError[],
    readonly errorCount = errors.length,
    readonly badLineCount = new Set(errors.map((e) => e.line)).size,
  ) {
    const s = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const capped = errorCount > errors.length;
    super(
      `customer import rejected, nothing was written (${s(errorCount, 'error')}${
        capped ? ` on ${s(badLineCount, 'line')}; the first ${errors.length} are listed` : ''
      }):\n` +
        errors.map((e) => `  line ${e.line}${e.field ? `: ${e.field}` : ''}: ${e.message}`).join('\n') +
        (capped ? `\n  ... ${errorCount - errors.length} more errors not listed` : ''),
    );
    this.name = 'CustomerImportError';
  }
}

export interface ImportResult {
  /** customers in the file */
  imported: number;
  /** new customers */
  inserted: number;
  /** known customers, merged (their rows are written only where a value changed) */
  updated: number;
}

/** Counts every error, keeps the first ones. Errors arrive in line order. */
class ErrorLog {
  listed: ImportLineError[] = [];
  count = 0;
  badLines = 0;
  add(errors: ImportLineError[]): void {
    if (errors.length === 0) return;
    this.count += errors.length;
    this.badLines++;
    for (const e of errors) if (this.listed.length < MAX_LISTED_ERRORS) this.listed.push(e);
  }
}

// `*_given` tells "left out" (keep the stored value) from "given as null" (clear it). A line with errors is staged with
// its id only, so that a duplicate of it is still reported; nothing is merged unless the file has no error at all.
const STAGE_COLUMNS = `line int, id text, bad boolean, email text, email_given boolean, quality int, subscribed boolean,
  categories jsonb, first_name text, first_name_given boolean, last_name text, last_name_given boolean, attributes jsonb,
  tags text[]`;

interface StageRow {
  line: number;
  id: string;
  bad: boolean;
  email?: string | null;
  email_given?: boolean;
  quality?: number | null;
  subscribed?: boolean;
  categories?: Record<string, boolean> | null;
  first_name?: string | null;
  first_name_given?: boolean;
  last_name?: string | null;
  last_name_given?: boolean;
  attributes?: Record<string, unknown> | null;
  tags?: string[] | null;
}

function stageRow(line: number, c: CustomerLine): StageRow {
  return {
    line,
    id: c.id,
    bad: false,
    email: c.email ?? null,
    email_given: c.email !== undefined,
    quality: c.emailQualityCode ?? null,
    subscribed: c.emailSubscribed,
    categories: c.categories ?? null,
    first_name: c.firstName ?? null,
    first_name_given: c.firstName !== undefined,
    last_name: c.lastName ?? null,
    last_name_given: c.lastName !== undefined,
    attributes: c.attributes ?? null,
    tags: c.tags ?? null,
  };
}

async function stage(trx: Knex.Transaction, rows: StageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(`insert into customer_import_stage select * from json_to_recordset(?::json) as r(${STAGE_COLUMNS})`, [
    JSON.stringify(rows),
  ]);
}

/** Lines whose id an earlier line already has, in line order: the first ones, their count, and how many of them had no other error. */
async function duplicates(trx: Knex.Transaction): Promise<{ listed: ImportLineError[]; count: number; cleanLines: number }> {
  const { rows } = await trx.raw(
    `select line, first_line, count(*) over () as count, count(*) filter (where not bad) over () as clean
       from (select line, bad, min(line) over (partition by id) as first_line from customer_import_stage) s
      where line <> first_line
      order by line
      limit ?`,
    [MAX_LISTED_ERRORS],
  );
  return {
    listed: rows.map((r: { line: number; first_line: number }) => ({
      line: r.line,
      field: 'id',
      message: `duplicate of line ${r.first_line}`,
    })),
    count: Number(rows[0]?.count ?? 0),
    cleanLines: Number(rows[0]?.clean ?? 0),
  };
}

/**
 * Applies the staged (clean) file to the live tables and returns how many customers were new. Imports are serialized
 * here, so that no other import inserts an id between the update and the insert. A row is written only when a value
 * the line gives differs from the stored one: re-importing an unchanged file writes nothing, and `updated_at` says
 * when a customer last changed.
 */
async function merge(trx: Knex.Transaction): Promise<{ inserted: number; changed: number }> {
  await trx.raw(`select pg_advisory_xact_lock(hashtext('campaign-runner:customer-import'))`);
  // The tags a line gives that its customer does not have yet (all of a new customer's), read before the update below
  // replaces them: their time goes to customer_tags_added (first time only), which the campaign goal reads.
  await trx.raw(
    `create temporary table customer_import_new_tags on commit drop as
     select distinct s.id, t.tag
       from customer_import_stage s cross join lateral unnest(s.tags) as t(tag)
       left join customers c on c.external_id = s.id
      where c.external_id is null or not (t.tag = any(c.tags))`,
  );
  // `c` is the row as it is now (a concurrent setTag's tag included), so what a line leaves out is kept.
  const updated = await trx.raw(
    `update customers c set
        email = case when s.email_given then s.email else c.email end,
        email_quality_code = coalesce(s.quality, c.email_quality_code),
        first_name = case when s.first_name_given then s.first_name else c.first_name end,
        last_name = case when s.last_name_given then s.last_name else c.last_name end,
        attributes = coalesce(s.attributes, c.attributes),
        tags = coalesce(s.tags, c.tags),
        updated_at = now()
       from customer_import_stage s
      where c.external_id = s.id
        and (   (s.email_given and s.email is distinct from c.email)
             or s.quality <> c.email_quality_code
             or (s.first_name_given and s.first_name is distinct from c.first_name)
             or (s.last_name_given and s.last_name is distinct from c.last_name)
             or s.attributes <> c.attributes
             or s.tags <> c.tags)`,
  );
  const inserted = await trx.raw(
    `insert into customers (external_id, email, email_quality_code, first_name, last_name, attributes, tags)
     select s.id, s.email, coalesce(s.quality, 0), s.first_name, s.last_name, coalesce(s.attributes, '{}'), coalesce(s.tags, '{}')
       from customer_import_stage s
      where not exists (select 1 from customers c where c.external_id = s.id)`,
  );
  await trx.raw(`insert into customer_tags_added (customer_id, tag) select id, tag from customer_import_new_tags on conflict do nothing`);
  await trx.raw(
    `insert into channel_subscriptions as cs (customer_id, channel, active)
     select id, 'email', subscribed from customer_import_stage
     on conflict (customer_id, channel) do update set active = excluded.active, updated_at = now()
     where cs.active <> excluded.active`,
  );
  // Only the categories a line names: the customer's other category choices stay as they are.
  await trx.raw(
    `insert into category_subscriptions as cs (customer_id, category_code, email_subscribed)
     select s.id, e.key, e.value::boolean from customer_import_stage s cross join lateral jsonb_each_text(s.categories) e
     on conflict (customer_id, category_code) do update set email_subscribed = excluded.email_subscribed, updated_at = now()
     where cs.email_subscribed <> excluded.email_subscribed`,
  );
  return { inserted: inserted.rowCount, changed: inserted.rowCount + updated.rowCount };
}

/**
 * Planner statistics for a launch's audience pages (`tags @> ... order by external_id limit 100`). Planned without
 * them (a table never analyzed, or analyzed before most of its tagged customers came), each page reads every customer
 * with the tag through the GIN index and sorts them (85 ms a page at 100,000 customers, against 0.15 ms along the id
 * index once analyzed): a launch right after a large import costs Postgres time quadratic in its audience. Autovacuum
 * analyzes a table once 50 rows and a tenth of it changed, within a minute of the commit (and never where it is off, as
 * on this project's CI Postgres), so an import past that threshold analyzes the table itself, in its own transaction
 * (which counts its own rows): ~0.3 s at 100,000 customers.
 */
async function analyzeAfterLargeChange(trx: Knex.Transaction, changed: number): Promise<void> {
  const { rows } = await trx.raw(`select greatest(reltuples, 0) as n from pg_class where oid = 'customers'::regclass`);
  if (changed > 50 + 0.1 * Number(rows[0].n)) await trx.raw('analyze customers');
}

/** Imports JSON Lines from a stream of chunks, in one transaction. Memory stays bounded whatever the size of the input. */
export async function importCustomerStream(
  db: Db,
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): Promise<ImportResult> {
  const source = Symbol.asyncIterator in chunks ? chunks : toAsync(chunks);
  return db.transaction(async (trx) => {
    const cats = await trx('mailing_categories').select('code', 'visible');
    const categories = new Map<string, CategoryInfo>(cats.map((r) => [r.code, { visible: r.visible }]));
    await trx.raw(`create temporary table customer_import_stage (${STAGE_COLUMNS}) on commit drop`);

    const log = new ErrorLog();
    // One batch is staged while the next is parsed (the client's CPU and the server's overlap); a failure surfaces at
    // the next await, and the no-op catch keeps it from counting as unhandled meanwhile.
    let staging: Promise<void> = Promise.resolve();
    const flush = async (rows: StageRow[]) => {
      await staging;
      staging = stage(trx, rows);
      staging.catch(() => undefined);
    };
    let customers = 0;
    let batch: StageRow[] = [];
    let batchBytes = 0;
    for await (const raw of readLines(source, IMPORT_LIMITS.lineBytes)) {
      if ('error' in raw) {
        log.add([{ line: raw.line, field: null, message: raw.error }]);
        continue;
      }
      if (raw.text.trim() === '') continue;
      const checked = checkCustomerLine(raw.text, raw.line, categories);
      log.add(checked.errors);
      if (checked.customer) {
        customers++;
        batch.push(stageRow(raw.line, checked.customer));
      } else if (checked.id !== null) batch.push({ line: raw.line, id: checked.id, bad: true });
      batchBytes += raw.text.length;
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) {
        await flush(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    await flush(batch);
    await staging;

    await trx.raw('analyze customer_import_stage');
    const dups = await duplicates(trx);
    if (log.count + dups.count > 0) {
      const listed = [...log.listed, ...dups.listed].sort((a, b) => a.line - b.line).slice(0, MAX_LISTED_ERRORS);
      throw new CustomerImportError(listed, log.count + dups.count, log.badLines + dups.cleanLines);
    }
    if (customers === 0) throw new CustomerImportError([{ line: 1, field: null, message: 'the file holds no customers' }]);
    const { inserted, changed } = await merge(trx);
    await analyzeAfterLargeChange(trx, changed);
    return { imported: customers, inserted, updated: customers - inserted };
  });
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** Imports a JSON Lines file, read as a stream. */
export async function importCustomerFile(db: Db, file: string): Promise<ImportResult> {
  // Opened first: a stream opened by path reports a missing file as an 'error' event, which arrived while the
  // transaction was starting, before anything listened, and crashed the process.
  const handle = await open(file, 'r');
  return importCustomerStream(db, handle.createReadStream());
}

/** Imports JSON Lines held in memory (demo data, tests, the benchmark). */
export function importCustomers(db: Db, text: string): Promise<ImportResult> {
  return importCustomerStream(db, [text]);
}
