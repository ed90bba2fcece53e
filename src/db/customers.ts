import type { Db } from './knex';

export interface CustomerRow {
  external_id: string;
  email: string | null;
  email_quality_code: number;
  first_name: string | null;
  last_name: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
}

/** A customer as the sendEmail activity sees them at the moment of sending. */
export interface CustomerForSend {
  customer: CustomerRow;
  emailChannelActive: boolean;
  /** null when no category was asked for */
  categorySubscribed: boolean | null;
}

export async function loadCustomerForSend(db: Db, externalId: string, categoryCode: string | undefined): Promise<CustomerForSend | null> {
  const customer = await db<CustomerRow>('customers')
    .select('external_id', 'email', 'email_quality_code', 'first_name', 'last_name', 'attributes', 'tags')
    .where({ external_id: externalId })
    .first();
  if (!customer) return null;
  // No channel row means no recorded consent: not subscribed.
  const channel = await db('channel_subscriptions').where({ customer_id: externalId, channel: 'email' }).first('active');
  let categorySubscribed: boolean | null = null;
  if (categoryCode !== undefined) {
    const row = await db('mailing_categories as c')
      .leftJoin('category_subscriptions as s', function () {
        this.on('s.category_code', '=', 'c.code').andOn('s.customer_id', '=', db.raw('?', [externalId]));
      })
      .where('c.code', categoryCode)
      .first('c.default_email_subscribed', 's.email_subscribed');
    // A category deleted after validation leaves nobody subscribed to it.
    categorySubscribed = row ? (row.email_subscribed ?? row.default_email_subscribed) : false;
  }
  return { customer, emailChannelActive: channel?.active === true, categorySubscribed };
}

/** Adds a tag once; re-running is a no-op, so the activity is safe to retry. Returns false if the customer is gone. */
export async function addTag(db: Db, externalId: string, tag: string): Promise<boolean> {
  const updated = await db('customers')
    .where({ external_id: externalId })
    .update({
      tags: db.raw('case when ? = any(tags) then tags else array_append(tags, ?) end', [tag, tag]),
      updated_at: db.fn.now(),
    });
  return updated > 0;
}

export async function listCustomerIds(db: Db): Promise<string[]> {
  const rows = await db('customers').select('external_id').orderBy('external_id');
  return rows.map((r) => r.external_id as string);
}
