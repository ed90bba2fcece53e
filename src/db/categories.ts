import type { Db } from './knex';

export interface MailingCategory {
  code: string;
  name: string;
  visible: boolean;
  defaultEmailSubscribed: boolean;
  /** the SendGrid suppression group (ASM) this category maps to: sends carry asm.group_id, group (un)subscribes change it */
  asmGroupId?: number | null;
}

export async function upsertCategory(db: Db, c: MailingCategory): Promise<void> {
  // A hidden category cannot be unsubscribed from, and a suppression group is exactly a way to unsubscribe.
  if (!c.visible && c.asmGroupId != null) throw new Error(`category "${c.code}": a hidden category cannot name an ASM group`);
  await db('mailing_categories')
    .insert({
      code: c.code,
      name: c.name,
      visible: c.visible,
      default_email_subscribed: c.defaultEmailSubscribed,
      asm_group_id: c.asmGroupId ?? null,
    })
    .onConflict('code')
    .merge(['name', 'visible', 'default_email_subscribed', 'asm_group_id']);
}

export async function listCategories(db: Db): Promise<MailingCategory[]> {
  const rows = await db('mailing_categories').select().orderBy('code');
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    visible: r.visible,
    defaultEmailSubscribed: r.default_email_subscribed,
    asmGroupId: r.asm_group_id ?? null,
  }));
}

export async function categoryCodes(db: Db): Promise<Set<string>> {
  return new Set((await db('mailing_categories').select('code')).map((r) => r.code as string));
}
