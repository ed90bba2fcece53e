// Changes to a customer's subscriptions that come from the customer (the unsubscribe page, one-click unsubscribe) or
// from SendGrid on their behalf (webhook events). The import replaces subscriptions wholesale; these change one layer.
import type { Knex } from 'knex';

type Q = Knex | Knex.Transaction;

/** Turns the customer's e-mail channel on or off. */
export async function setEmailChannel(q: Q, customerId: string, active: boolean): Promise<void> {
  await q.raw(
    `insert into channel_subscriptions (customer_id, channel, active, updated_at) values (?, 'email', ?, now())
     on conflict (customer_id, channel) do update set active = excluded.active, updated_at = now()`,
    [customerId, active],
  );
}

/** Subscribes or unsubscribes the customer to a category's e-mails. */
export async function setCategoryEmail(q: Q, customerId: string, categoryCode: string, subscribed: boolean): Promise<void> {
  await q.raw(
    `insert into category_subscriptions (customer_id, category_code, email_subscribed, updated_at) values (?, ?, ?, now())
     on conflict (customer_id, category_code) do update set email_subscribed = excluded.email_subscribed, updated_at = now()`,
    [customerId, categoryCode, subscribed],
  );
}

export interface CategoryRef {
  code: string;
  name: string;
  visible: boolean;
  asmGroupId: number | null;
}

export async function findCategory(q: Q, code: string): Promise<CategoryRef | null> {
  const r = await q('mailing_categories').where({ code }).first('code', 'name', 'visible', 'asm_group_id');
  return r ? { code: r.code, name: r.name, visible: r.visible, asmGroupId: r.asm_group_id ?? null } : null;
}

export async function categoryForAsmGroup(q: Q, groupId: number): Promise<CategoryRef | null> {
  const r = await q('mailing_categories').where({ asm_group_id: groupId }).first('code', 'name', 'visible', 'asm_group_id');
  return r ? { code: r.code, name: r.name, visible: r.visible, asmGroupId: r.asm_group_id ?? null } : null;
}

/** The customer's current e-mail subscription state: the channel, and one category (its default when they made no choice). */
export async function emailSubscriptionState(
  q: Q,
  customerId: string,
  categoryCode: string | null,
): Promise<{ channelActive: boolean; categorySubscribed: boolean | null } | null> {
  const { rows } = await q.raw(
    `select coalesce(ch.active, false) as channel_active, coalesce(sub.email_subscribed, mc.default_email_subscribed) as category_subscribed
       from customers c
       left join channel_subscriptions ch on ch.customer_id = c.external_id and ch.channel = 'email'
       left join mailing_categories mc on mc.code = ?
       left join category_subscriptions sub on sub.customer_id = c.external_id and sub.category_code = mc.code
      where c.external_id = ?`,
    [categoryCode, customerId],
  );
  const r = rows[0];
  return r ? { channelActive: r.channel_active, categorySubscribed: r.category_subscribed ?? null } : null;
}
