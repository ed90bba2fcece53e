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
  // One round trip: this runs once per e-mail, on the hot path.
  const { rows } = await db.raw(
    `select c.external_id, c.email, c.email_quality_code, c.first_name, c.last_name, c.attributes, c.tags,
            coalesce(ch.active, false) as email_channel_active,
            mc.code is not null as category_exists, sub.email_subscribed, mc.default_email_subscribed
       from customers c
       left join channel_subscriptions ch on ch.customer_id = c.external_id and ch.channel = 'email'
       left join mailing_categories mc on mc.code = :category
       left join category_subscriptions sub on sub.customer_id = c.external_id and sub.category_code = :category
      where c.external_id = :id`,
    { id: externalId, category: categoryCode ?? null },
  );
  const r = rows[0];
  if (!r) return null;
  // No channel row means no recorded consent: not subscribed. A category deleted after validation leaves nobody
  // subscribed to it; a customer without their own row gets the category's default.
  const categorySubscribed = categoryCode === undefined ? null : r.category_exists ? (r.email_subscribed ?? r.default_email_subscribed) : false;
  const customer: CustomerRow = {
    external_id: r.external_id,
    email: r.email,
    email_quality_code: r.email_quality_code,
    first_name: r.first_name,
    last_name: r.last_name,
    attributes: r.attributes,
    tags: r.tags,
  };
  return { customer, emailChannelActive: r.email_channel_active === true, categorySubscribed };
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
