// Property test of the customer import against Postgres (importCustomerStream, what `customers import` runs): for any
// file, the import either refuses it with errors that each name a line of the file, and no customer table changes, or
// imports every line with merge semantics (a field the line gives is stored, one it leaves out keeps its value), and a
// template then renders for each imported customer as the sendEmail activity reads them. The ids come from a small
// set of this run's own, so files repeat ids (duplicates) and later files meet earlier customers (merges).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { templateContext } from '../../src/actions/sendEmail/activitySend';
import { CustomerImportError, importCustomerFile, importCustomerStream } from '../../src/db/customerImport';
import { checkTemplate } from '../../src/email/render';
import { importFile, validImportFile } from '../support/arbitraries/customers';
import { validTemplate } from '../support/arbitraries/templates';
import { deleteCustomers, snapshotTables } from '../support/dbSnapshot';
import { testEnv } from '../support/env';
import { seedCategories, uid } from '../support/harness';
import { CASE_DEADLINE_MS, assertOneLine, runs } from '../support/properties';
import { Sandbox } from '../support/sandbox';

const IMPORT_TABLES = ['customers', 'channel_subscriptions', 'category_subscriptions'];

interface Stored {
  email: string | null;
  email_quality_code: number;
  first_name: string | null;
  last_name: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
  subscribed: boolean | null;
  categories: Record<string, boolean>;
}

/** Every stored customer whose id starts with `prefix` (a generated line may carry any id built on it). */
async function storedCustomers(prefix: string): Promise<Map<string, Stored>> {
  const { db } = testEnv();
  const rows = await db('customers as c')
    .leftJoin('channel_subscriptions as s', function () {
      this.on('s.customer_id', 'c.external_id').andOnVal('s.channel', 'email');
    })
    .where('c.external_id', 'like', `${prefix}%`)
    .select('c.*', 's.active as subscribed');
  const cats = await db('category_subscriptions').where('customer_id', 'like', `${prefix}%`);
  const out = new Map<string, Stored>();
  for (const r of rows) {
    const categories = Object.fromEntries(
      cats.filter((c) => c.customer_id === r.external_id).map((c) => [c.category_code, c.email_subscribed]),
    );
    const { email, email_quality_code, first_name, last_name, attributes, tags, subscribed } = r;
    out.set(r.external_id, { email, email_quality_code, first_name, last_name, attributes, tags, subscribed, categories });
  }
  return out;
}

/** What a line says, where it says it (undefined: left out). */
type Line = Record<string, unknown>;

/** The stored customer after merging `line` into `before` (undefined: a new customer). */
function merged(before: Stored | undefined, line: Line): Stored {
  const given = (k: string) => Object.hasOwn(line, k);
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown; // jsonb keeps no -0
  return {
    email: given('email') ? (line.email as string | null) : (before?.email ?? null),
    email_quality_code: given('emailQualityCode') ? (line.emailQualityCode as number) : (before?.email_quality_code ?? 0),
    first_name: given('firstName') ? (line.firstName as string | null) : (before?.first_name ?? null),
    last_name: given('lastName') ? (line.lastName as string | null) : (before?.last_name ?? null),
    attributes: json(given('attributes') ? line.attributes : (before?.attributes ?? {})) as Record<string, unknown>,
    tags: given('tags') ? (line.tags as string[]) : (before?.tags ?? []),
    subscribed: line.emailSubscribed as boolean,
    categories: { ...(before?.categories ?? {}), ...((line.categories as Record<string, boolean>) ?? {}) },
  };
}

describe('customer import properties (database)', function () {
  this.timeout(600_000);
  const sandbox = new Sandbox();
  const prefix = uid('fzc');
  const stats = { imported: 0, refused: 0, merged: 0, rendered: 0, renderRefused: 0, slowestMs: 0 };
  let templates: string[];

  before(async () => {
    await seedCategories();
    await sandbox.call('checkTemplate', 'warm up', 60_000);
    templates = fc.sample(validTemplate, { numRuns: 20, seed: 42 }).filter((t) => checkTemplate(t).length === 0);
  });
  after(async () => {
    await sandbox.close();
    // Their addresses are junk on purpose ("a", "9"): kept, they would match everywhere in the suite's final scan of
    // workflow histories for the test data's addresses. No workflow ever saw these customers.
    await deleteCustomers(prefix);
    console.log(`      ${stats.imported} files imported (${stats.merged} customers merged), ${stats.refused} refused`);
    console.log(`      ${stats.rendered} renders, ${stats.renderRefused} refused; slowest case ${stats.slowestMs} ms`);
  });

  async function within<T>(what: string, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${CASE_DEADLINE_MS} ms`)), CASE_DEADLINE_MS)),
    );
    try {
      return await Promise.race([p, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('any file: refused by line with nothing written, or merged line by line and renderable (300 runs)', async () => {
    const { db } = testEnv();
    await fc.assert(
      fc.asyncProperty(fc.oneof(importFile(prefix, 30), validImportFile(prefix, 30)), fc.nat(), async (bytes, pick) => {
        const started = Date.now();
        const text = Buffer.from(bytes);
        const lineCount = text.toString('latin1').split('\n').length;
        const before = await storedCustomers(prefix);
        const snapshot = await snapshotTables(db, IMPORT_TABLES);
        let result: Awaited<ReturnType<typeof importCustomerStream>>;
        try {
          result = await within('import', importCustomerStream(db, [text]));
        } catch (err) {
          if (!(err instanceof CustomerImportError)) throw err;
          stats.refused++;
          assert.ok(err.errors.length >= 1 && err.errorCount >= err.errors.length, 'a refusal lists its errors and counts them');
          for (const e of err.errors) {
            assert.ok(e.line >= 1 && e.line <= lineCount, `error on line ${e.line} of ${lineCount}`);
            assertOneLine(e.message, `line ${e.line}`);
            if (e.field !== null) assertOneLine(e.field, `field of line ${e.line}`, 200);
          }
          assert.deepEqual(await snapshotTables(db, IMPORT_TABLES), snapshot, 'a refused file writes nothing');
          return;
        }
        stats.imported++;
        // Accepted: every non-blank line was a customer of this run.
        const lines = new TextDecoder()
          .decode(text)
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Line);
        assert.equal(result.imported, lines.length);
        assert.equal(result.inserted, lines.filter((l) => !before.has(l.id as string)).length);
        const after = await storedCustomers(prefix);
        for (const line of lines) {
          const id = line.id as string;
          assert.ok(id.startsWith(prefix), `${id} is one of this run's ids`);
          if (before.has(id)) stats.merged++;
          assert.deepEqual(
            after.get(id),
            merged(before.get(id), line),
            `customer ${id} after merging line ${JSON.stringify(line).slice(0, 300)}`,
          );
        }
        // An imported customer renders, as the activity reads them.
        for (const line of [lines[pick % lines.length]]) {
          const row = await db('customers').where({ external_id: line.id }).first();
          const ctx = templateContext(row, { id: 'c', name: 'C' });
          const source = templates[pick % templates.length];
          const r = await sandbox.call('render', { content: { subject: source, html: source, text: source }, ctx }, CASE_DEADLINE_MS);
          assert.ok(r.ok, `rendering an imported customer threw ${r.ok ? '' : `${r.name}: ${r.message}`}`);
          if (r.value.kind === 'rendered') stats.rendered++;
          else stats.renderRefused++;
        }
        stats.slowestMs = Math.max(stats.slowestMs, Date.now() - started);
      }),
      runs(300),
    );
  });

  it('a file that cannot be opened is a rejected promise, not a crash of the process', async () => {
    const { db } = testEnv();
    await assert.rejects(importCustomerFile(db, '/nonexistent/customers.jsonl'), { code: 'ENOENT' });
  });
});
