import type { Db } from './knex';

export interface MailingCategory {
  code: string;
  name: string;
  visible: boolean;
  defaultEmailSubscribed: boolean;
}

export async function upsertCategory(db: Db, c: MailingCategory): Promise<void> {
  await db('mailing_categories')
    .insert({ code: c.code, name: c.name, visible: c.visible, default_email_subscribed: c.defaultEmailSubscribed })
    .onConflict('code')
    .merge(['name', 'visible', 'default_email_subscribed']);
}

export async function listCategories(db: Db): Promise<MailingCategory[]> {
  const rows = await db('mailing_categories').select().orderBy('code');
  return rows.map((r) => ({ code: r.code, name: r.name, visible: r.visible, defaultEmailSubscribed: r.default_email_subscribed }));
}

export async function categoryCodes(db: Db): Promise<Set<string>> {
  return new Set((await db('mailing_categories').select('code')).map((r) => r.code as string));
}
