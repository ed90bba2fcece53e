import type { Command } from 'commander';
import { z } from 'zod';
import { listCategories, upsertCategory } from '../db/categories';
import { UsageError, withContext } from './context';

// The column is a Postgres integer: a larger id would be refused by the database, with its own error.
const MAX_ASM_GROUP = 2_147_483_647;

const categoryInput = z.object({
  code: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, _ or -'),
  // Shown to customers on the unsubscribe page and printed by `categories list` one category a line, tab-separated.
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    .refine((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s), 'must not contain control characters (tabs, line breaks, escapes)')
    .refine((s) => !s.includes('\ufffd'), 'must be UTF-8 text (it holds U+FFFD, which stands for bytes that were not)'),
  asmGroup: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a SendGrid suppression group id (a whole number)')
    .transform(Number)
    .pipe(z.number().max(MAX_ASM_GROUP, `must be at most ${MAX_ASM_GROUP}`))
    .optional(),
});

export function registerCategories(program: Command): void {
  const cmd = program.command('categories').description('mailing categories');
  cmd
    .command('add')
    .description('add or update a mailing category')
    .requiredOption('--code <code>', 'code used in campaigns and imports')
    .requiredOption('--name <name>', 'name shown to customers')
    .option('--hidden', 'hidden category: not on the unsubscribe page, cannot be unsubscribed from', false)
    .option('--default-unsubscribed', 'customers without their own choice are NOT subscribed (default: subscribed)', false)
    .option('--asm-group <id>', "SendGrid suppression group: sends carry asm.group_id, the group's unsubscribes change this category")
    .action((o: { code: string; name: string; hidden: boolean; defaultUnsubscribed: boolean; asmGroup?: string }) =>
      withContext(async (ctx) => {
        const parsed = categoryInput.safeParse(o);
        if (!parsed.success) {
          throw new UsageError(
            parsed.error.issues.map((i) => `--${i.path.join('.').replace('asmGroup', 'asm-group')}: ${i.message}`).join('\n'),
          );
        }
        if (o.hidden && parsed.data.asmGroup !== undefined) {
          throw new UsageError('--asm-group: a hidden category cannot be unsubscribed from, so it cannot name a suppression group');
        }
        const { asmGroup, ...fields } = parsed.data;
        if (asmGroup !== undefined) {
          // One group maps to one category (a unique column): say which, rather than show the database's refusal.
          const other = await ctx
            .db()('mailing_categories')
            .where({ asm_group_id: asmGroup })
            .whereNot({ code: fields.code })
            .first('code');
          if (other) throw new UsageError(`--asm-group: group ${asmGroup} already belongs to category "${other.code}"`);
        }
        await upsertCategory(ctx.db(), {
          ...fields,
          visible: !o.hidden,
          defaultEmailSubscribed: !o.defaultUnsubscribed,
          asmGroupId: asmGroup,
        });
        console.log(`category "${parsed.data.code}" saved`);
      }),
    );
  cmd
    .command('list')
    .description('list mailing categories')
    .action(() =>
      withContext(async (ctx) => {
        for (const c of await listCategories(ctx.db())) {
          console.log(
            `${c.code}\t${c.name}\t${c.visible ? 'visible' : 'hidden'}\tdefault ${c.defaultEmailSubscribed ? 'subscribed' : 'unsubscribed'}` +
              (c.asmGroupId ? `\tASM group ${c.asmGroupId}` : ''),
          );
        }
      }),
    );
}
