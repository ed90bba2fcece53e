// One line of a customer import, checked on its own (pure): the schema, text Postgres cannot store, size limits and the
// mailing categories. Whole-file rules (duplicate ids) are checked in the database, see customerImport.ts.
import { z } from 'zod';
import { findJsonError } from '../campaigns/load';
import { quote } from '../email/quote';

export const IMPORT_LIMITS = {
  /** bytes of one line, without its line ending */
  lineBytes: 64 * 1024,
  /** bytes of the `attributes` object as JSON */
  attributesBytes: 16 * 1024,
  /** levels of arrays and objects in `attributes`, the object itself being level 1 */
  attributesDepth: 32,
  attributeKeyChars: 128,
} as const;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/;

const customerLine = z
  .object({
    id: z.string().regex(ID, 'must be 1-128 letters, digits, or _ . : - (starting with a letter or digit)'),
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

export interface CategoryInfo {
  visible: boolean;
}

export interface CheckedLine {
  /** the customer, when the line has no error */
  customer: CustomerLine | null;
  /** the line's id when it is a well-formed one, even if the line has other errors (duplicates are still found) */
  id: string | null;
  errors: ImportLineError[];
}

type Segment = string | number;

/**
 * `attributes.city`, `tags.1`; a key that is not plain is quoted and escaped (controls, line separators, direction
 * overrides: see email/quote.ts) and cut to 64 characters, so a field name stays short and on its line.
 */
export function fieldName(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.map((s) => (typeof s === 'string' && !/^[A-Za-z0-9_:-]+$/.test(s) ? quote(s, 64) : String(s))).join('.');
}

// Postgres text and jsonb cannot hold U+0000, and a lone surrogate cannot be encoded as UTF-8 (it would be silently
// replaced on the way to the database).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function badText(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}
// Both can only come from a \u escape: the line was decoded as strict UTF-8, and JSON refuses raw control characters.
const SUSPECT_ESCAPE = /\\u(?:0000|d[89a-f])/i;
// Bad text deeper than this is not looked for: only `attributes` may nest, and it is refused past its own depth limit.
const TEXT_SCAN_DEPTH = IMPORT_LIMITS.attributesDepth + 2;

/** Every string and key holding bad text, in document order, walked without recursion (a line may nest deeply). */
function badTextErrors(value: unknown, line: number): ImportLineError[] {
  const errors: ImportLineError[] = [];
  // [value, its path, whether its own key is to be checked]
  const stack: [unknown, Segment[], boolean][] = [[value, [], false]];
  while (stack.length > 0) {
    const [v, path, keyed] = stack.pop()!;
    if (keyed) {
      const bad = badText(path[path.length - 1] as string);
      if (bad) errors.push({ line, field: fieldName(path), message: `key ${bad}` });
    }
    if (typeof v === 'string') {
      const bad = badText(v);
      if (bad) errors.push({ line, field: fieldName(path), message: bad });
    } else if (v !== null && typeof v === 'object' && path.length < TEXT_SCAN_DEPTH) {
      const children: [unknown, Segment[], boolean][] = Array.isArray(v)
        ? v.map((x, k) => [x, [...path, k], false])
        : Object.entries(v).map(([k, x]) => [x, [...path, k], true]);
      for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]);
    }
  }
  return errors;
}

/** The limits on `attributes`: depth first (so that measuring its size cannot overflow), key length, then size. */
function attributeErrors(attributes: Record<string, unknown>, line: number): ImportLineError[] {
  const errors: ImportLineError[] = [];
  const { attributesDepth, attributeKeyChars, attributesBytes } = IMPORT_LIMITS;
  const checkKey = (key: string, path: Segment[]) => {
    if (key.length > attributeKeyChars)
      errors.push({ line, field: fieldName(path), message: `key is longer than ${attributeKeyChars} characters` });
  };
  for (const [top, value] of Object.entries(attributes)) {
    const topPath = ['attributes', top];
    checkKey(top, topPath);
    const stack: [unknown, Segment[], number][] = [[value, topPath, 2]];
    while (stack.length > 0) {
      const [v, path, depth] = stack.pop()!;
      if (v === null || typeof v !== 'object') continue;
      if (depth > attributesDepth) {
        errors.push({ line, field: fieldName(topPath), message: `nested deeper than ${attributesDepth} levels` });
        break;
      }
      if (Array.isArray(v)) v.forEach((x, k) => stack.push([x, [...path, k], depth + 1]));
      else
        for (const [k, x] of Object.entries(v)) {
          checkKey(k, [...path, k]);
          stack.push([x, [...path, k], depth + 1]);
        }
    }
  }
  if (errors.length === 0 && Buffer.byteLength(JSON.stringify(attributes)) > attributesBytes) {
    errors.push({ line, field: 'attributes', message: `larger than ${attributesBytes} bytes of JSON` });
  }
  return errors;
}

export function checkCustomerLine(text: string, line: number, categories: ReadonlyMap<string, CategoryInfo>): CheckedLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const at = findJsonError(text, Infinity);
    const what =
      at === null || at.offset >= text.length
        ? 'unexpected end of line'
        : `unexpected ${quote(String.fromCodePoint(text.codePointAt(at.offset)!))} at column ${at.offset + 1}`;
    return { customer: null, id: null, errors: [{ line, field: null, message: `not valid JSON (${what})` }] };
  }
  const errors = SUSPECT_ESCAPE.test(text) ? badTextErrors(json, line) : [];
  const flagged = new Set(errors.map((e) => e.field));
  const add = (field: string | null, message: string) => {
    if (!flagged.has(field)) errors.push({ line, field, message });
  };
  const rawId = (json as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'string' && ID.test(rawId) ? rawId : null;

  const parsed = customerLine.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      if (keys.length) keys.forEach((k) => add(fieldName([...issue.path, k]), 'unknown field'));
      else add(fieldName(issue.path), issue.message);
    }
    return { customer: null, id, errors };
  }
  const c = parsed.data;
  // zod builds records by assignment, and assigning "__proto__" sets the prototype: the key would vanish from what is
  // stored (and a category code of that name would pass unchecked). JSON.parse made it an own key: refuse it by name.
  for (const field of ['attributes', 'categories'] as const) {
    const o = (json as Record<string, unknown>)[field];
    if (o !== null && typeof o === 'object' && Object.hasOwn(o, '__proto__'))
      add(fieldName([field, '__proto__']), 'is not allowed as a key');
  }
  if (c.attributes) for (const e of attributeErrors(c.attributes, line)) add(e.field, e.message);
  for (const [code, subscribed] of Object.entries(c.categories ?? {})) {
    const cat = categories.get(code);
    const field = fieldName(['categories', code]);
    if (!cat) add(field, 'unknown mailing category');
    else if (!cat.visible && !subscribed) add(field, 'hidden category cannot be unsubscribed from');
  }
  return { customer: errors.length ? null : c, id, errors };
}
