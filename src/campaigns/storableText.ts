// Text that Postgres can store. It refuses the NUL character in text and jsonb columns, and jsonb refuses a \ud800
// escape without its pair; JSON allows both (as \u0000 and \ud800), so a document could pass every other check and then
// fail to store with a database error. Free-text fields refuse them at validation, by path and position.
import { z } from 'zod';
import { quote } from '../email/quote';

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` cannot be stored, or undefined. Positions count UTF-16 units from 1, like template columns. */
export function unstorable(s: string): string | undefined {
  const nul = s.indexOf('\0');
  if (nul >= 0) return `must not contain the NUL character \\u0000 (character ${nul + 1})`;
  const lone = UNPAIRED_SURROGATE.exec(s);
  if (lone) return `must not contain an unpaired surrogate ${quote(lone[0])} (character ${lone.index + 1})`;
  return undefined;
}

/** A string that Postgres can store; other checks chain on it. */
export const storableString = z.string().superRefine((s, ctx) => {
  const why = unstorable(s);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});
