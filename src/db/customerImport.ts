// Customers come in as JSON Lines, one customer a line. An import is all or nothing: every bad line is reported by
// number and field, and a file with any bad line writes nothing.
import { z } from 'zod';
import type { Db } from './knex';

const TAG = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/;

const customerLine = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be 1-128 letters, digits, or _ . : - (starting with a letter or digit)'),
    // Stored as given, even if malformed: an invalid address is a fact about the customer (they are skipped as
    // email_invalid), not a reason to refuse the file.
    email: z.string().max(320).nullable().optional(),
    emailQualityCode: z.number().int().min(0).max(99).optional(),
    emailSubscribed: z.boolean(),
    categories: z.record(z.string(), z.boolean()).optional(),
    firstName: z.string().max(200).nullable().optional(),
    lastName: z.string().max(200).nullable().optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
    tags: z.array(z.string().regex(TAG, 'must be 1-64 letters, digits, or _ : . -')).max(100).optional(),
  })
  .strict();

export type CustomerLine = z.infer<typeof customerLine>;

export interface ImportLineError {
  line: number;
  field: string | null;
  message: string;
}

export class CustomerImportError extends Error {
  constructor(readonly errors: ImportLineError[]) {
    super(
      `customer import rejected, nothing was written (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` +
        errors.map((e) => `  line ${e.line}${e.field ? `: ${e.field}` : ''}: ${e.message}`).join('\n'),
    );
    this.name = 'CustomerImportError';
  }
}

export interface CategoryInfo {
  visible: boolean;
}

/** Pure: parses and checks every line against the schema and the known mailing categories. */
export function parseCustomerLines(
  text: string,
  categories: ReadonlyMap<string, CategoryInfo>,
): { customers: CustomerLine[]; errors: ImportLineError[] } {
  const customers: CustomerLine[] = [];
  const errors: ImportLineError[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      errors.push({ line, field: null, message: `not valid JSON (${(err as Error).message})` });
      return;
    }
    const parsed = customerLine.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
        if (keys.length) keys.forEach((k) => errors.push({ line, field: [...issue.path, k].join('.'), message: 'unknown field' }));
        else errors.push({ line, field: issue.path.length ? issue.path.join('.') : null, message: issue.message });
      }
      return;
    }
    const c = parsed.data;
    const firstLine = seen.get(c.id);
    if (firstLine !== undefined) errors.push({ line, field: 'id', message: `duplicate of line ${firstLine}` });
    else seen.set(c.id, line);
    for (const [code, subscribed] of Object.entries(c.categories ?? {})) {
      const cat = categories.get(code);
      if (!cat) errors.push({ line, field: `categories.${code}`, message: 'unknown mailing category' });
      else if (!cat.visible && !subscribed)
        errors.push({ line, field: `categories.${code}`, message: 'hidden category cannot be unsubscribed from' });
    }
    customers.push(c);
  });
  return { customers, errors };
}

const CHUNK = 500;

/** Imports a whole file in one transaction (new customers are inserted, known ones replaced). */
export async function importCustomers(db: Db, text: string): Promise<{ imported: number }> {
  const rows = await db('mailing_categories').select('code', 'visible');
  const categories = new Map<string, CategoryInfo>(rows.map((r) => [r.code, { visible: r.visible }]));
  const { customers, errors } = parseCustomerLines(text, categories);
  if (errors.length) throw new CustomerImportError(errors);
  if (customers.length === 0) throw new CustomerImportError([{ line: 1, field: null, message: 'the file holds no customers' }]);

  await db.transaction(async (trx) => {
    for (let i = 0; i < customers.length; i += CHUNK) {
      const chunk = customers.slice(i, i + CHUNK);
      await trx('customers')
        .insert(
          chunk.map((c) => ({
            external_id: c.id,
            email: c.email ?? null,
            email_quality_code: c.emailQualityCode ?? 0,
            first_name: c.firstName ?? null,
            last_name: c.lastName ?? null,
            attributes: JSON.stringify(c.attributes ?? {}),
            tags: c.tags ?? [],
          })),
        )
        .onConflict('external_id')
        .merge({
          email: trx.raw('excluded.email'),
          email_quality_code: trx.raw('excluded.email_quality_code'),
          first_name: trx.raw('excluded.first_name'),
          last_name: trx.raw('excluded.last_name'),
          attributes: trx.raw('excluded.attributes'),
          tags: trx.raw('excluded.tags'),
          updated_at: trx.fn.now(),
        });
      await trx('channel_subscriptions')
        .insert(chunk.map((c) => ({ customer_id: c.id, channel: 'email', active: c.emailSubscribed })))
        .onConflict(['customer_id', 'channel'])
        .merge({ active: trx.raw('excluded.active'), updated_at: trx.fn.now() });
      const subs = chunk.flatMap((c) =>
        Object.entries(c.categories ?? {}).map(([code, on]) => ({ customer_id: c.id, category_code: code, email_subscribed: on })),
      );
      if (subs.length) {
        await trx('category_subscriptions')
          .insert(subs)
          .onConflict(['customer_id', 'category_code'])
          .merge({ email_subscribed: trx.raw('excluded.email_subscribed'), updated_at: trx.fn.now() });
      }
    }
  });
  return { imported: customers.length };
}
