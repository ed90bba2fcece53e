// fast-check generators for customers: import lines (valid ones, mutated ones, arbitrary text) and the template
// context a stored customer renders with.
import fc from 'fast-check';
import type { TemplateContext } from '../../../src/campaigns/types';
import { anyJsonValue, hugeString, nastyString, oddNumber, safeString, toJsonText } from './text';

export const customerId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/);
const tag = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,12}$/);
const email = fc.oneof(
  fc.constantFrom('ann@example.com', 'Ann.Lee+x@Example.COM', 'ivan@почта.рф', 'ivan@xn--80a1acny.xn--p1ai', 'not-an-address', 'a@b', ''),
  fc.emailAddress(),
  safeString({ maxLength: 40 }),
);

/** Attribute values as an import stores them: any JSON, a few levels deep, with odd strings and numbers. */
const attributeValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  safeString(),
  oddNumber,
  fc.constantFrom('javascript:alert(1)', 'https://shop.example.com/x?y=1', ' JaVaScRiPt:alert(1)', '<b>&amp;</b>', 'data:text/html,x'),
);
// "__proto__" is refused as a key (src/db/customerLine.ts; the invalid lines below test it): a valid line has none,
// though a random string of up to 10 characters now and then is one.
const attributes = fc.dictionary(
  fc.oneof(
    fc.constantFrom('city', 'points', 'url', 'a', 'nested', 'odd key'),
    safeString({ maxLength: 10 }).filter((k) => k !== '__proto__'),
  ),
  attributeValue,
  {
    maxKeys: 5,
  },
);

/**
 * An import line the importer must accept (the categories news and service exist, service is hidden). Ids are drawn
 * from `ids`: a small set, so that files repeat ids (refused as duplicates) and runs meet earlier runs' customers (merged).
 */
export function validLine(ids: fc.Arbitrary<string> = customerId) {
  return fc.record(
    {
      id: ids,
      email: fc.option(email, { nil: null }),
      emailQualityCode: fc.integer({ min: 0, max: 99 }),
      emailSubscribed: fc.boolean(),
      categories: fc.record({ news: fc.boolean(), service: fc.constant(true) }, { requiredKeys: [] }),
      firstName: fc.option(safeString({ maxLength: 200 }), { nil: null }),
      lastName: fc.option(safeString({ maxLength: 200 }), { nil: null }),
      attributes,
      tags: fc.uniqueArray(tag, { maxLength: 5 }),
    },
    { requiredKeys: ['id', 'emailSubscribed'] },
  );
}

type Line = Record<string, unknown>;

/** One change that may or may not make a line invalid; an id it writes is `${prefix}...` or not a string. */
function lineMutation(prefix: string): fc.Arbitrary<(l: Line) => void> {
  const set = (k: string, v: unknown) => (l: Line) =>
    void Object.defineProperty(l, k, { value: v, enumerable: true, writable: true, configurable: true });
  return fc.oneof(
    fc
      .tuple(fc.constantFrom('email', 'emailQualityCode', 'emailSubscribed', 'categories', 'firstName', 'tags', 'attributes'), anyJsonValue)
      .map(([k, v]) => set(k, v)),
    fc
      .oneof(
        anyJsonValue.filter((v) => typeof v !== 'string'),
        nastyString().map((s) => `${prefix}${s}`),
      )
      .map((v) => set('id', v)),
    fc.constantFrom('id', 'emailSubscribed').map((k) => (l: Line) => void delete l[k]),
    fc.tuple(nastyString(10), anyJsonValue).map(([k, v]) => set(`x${k}`, v)),
    fc.constantFrom('__proto__', 'constructor', 'toString').map((k) => set(k, 1)),
    fc.tuple(fc.constantFrom('firstName', 'lastName', 'email'), fc.oneof(nastyString(), hugeString)).map(([k, v]) => set(k, v)),
    fc.tuple(nastyString(10), anyJsonValue).map(
      ([k, v]) =>
        (l: Line) =>
          void (l.attributes = { ...(l.attributes as object), [k]: v }),
    ),
    fc.constantFrom({ nope: true }, { news: 'yes' }, { service: false }, { '': true }).map((c) => set('categories', c)),
    fc
      .constantFrom(
        ['bad tag'],
        Array.from({ length: 101 }, (_, i) => `t${i}`),
        [1],
        ['\u0000'],
      )
      .map((t) => set('tags', t)),
  );
}

/** One line's bytes: a valid line, a mutated one, JSON that is no customer, text that is no JSON, or bytes that are no text. */
function anyLine(prefix: string, ids: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  const text = (a: fc.Arbitrary<string>) => a.map((s) => Buffer.from(s));
  return fc.oneof(
    { weight: 5, arbitrary: text(validLine(ids).map((l) => JSON.stringify(l))) },
    {
      weight: 4,
      arbitrary: text(
        fc.tuple(validLine(ids), fc.array(lineMutation(prefix), { minLength: 1, maxLength: 3 })).map(([l, ms]) => {
          const line: Line = { ...l };
          for (const m of ms) m(line);
          return toJsonText(line);
        }),
      ),
    },
    {
      weight: 2,
      arbitrary: text(anyJsonValue.filter((v) => !(v && typeof v === 'object' && 'id' in v)).map((v) => toJsonText(v) ?? 'null')),
    },
    { weight: 2, arbitrary: text(nastyString(60)) },
    text(fc.constantFrom('', ' ', '\t', '{', '}', '[', 'null', '{"emailSubscribed":true}x', `{"id":"${prefix}x","emailSubscribed":true} `)),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    fc.constantFrom(
      Buffer.from('{"id":"caf\xe9"}', 'latin1'),
      Buffer.from([0xc3]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.alloc(70 * 1024, 0x61),
    ),
  );
}

/** A whole import file's bytes: lines joined by \n or \r\n, sometimes with a trailing newline or a byte order mark. */
export function importFile(prefix = 'c', idCount = 30): fc.Arbitrary<Uint8Array> {
  const ids = fc.integer({ min: 0, max: idCount - 1 }).map((i) => `${prefix}-${i}`);
  return fc
    .tuple(fc.array(anyLine(prefix, ids), { minLength: 0, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean())
    .map(([lines, eol, trailing, bom]) => {
      const parts: Buffer[] = bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
      lines.forEach((l, i) => parts.push(...(i > 0 ? [Buffer.from(eol)] : []), l));
      if (trailing) parts.push(Buffer.from(eol));
      return new Uint8Array(Buffer.concat(parts));
    });
}

/** A file of valid lines only, each id once (ids from `${prefix}-0` to `${prefix}-${idCount - 1}`). */
export function validImportFile(prefix = 'c', idCount = 1_000_000): fc.Arbitrary<Uint8Array> {
  return fc
    .uniqueArray(validLine(fc.integer({ min: 0, max: idCount - 1 }).map((i) => `${prefix}-${i}`)), {
      selector: (l) => l.id,
      minLength: 1,
      maxLength: 8,
    })
    .map((lines) => new Uint8Array(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n'))));
}

/** The context a customer renders with, as the activity builds it from a stored row. */
export const templateContext: fc.Arbitrary<TemplateContext> = fc.record(
  {
    customer: fc.record({
      id: customerId,
      email: fc.option(email, { nil: null }),
      firstName: fc.option(fc.oneof(safeString({ maxLength: 200 }), nastyString()), { nil: null }),
      lastName: fc.option(nastyString(), { nil: null }),
      attributes,
      tags: fc.uniqueArray(tag, { maxLength: 5 }),
    }),
    campaign: fc.record({ id: fc.constantFrom('welcome', 'c-1'), name: safeString({ minLength: 1, maxLength: 50 }) }),
    unsubscribe_url: fc.constantFrom('https://shop.example.com/u/tok.en?x=1&y=2', 'javascript:alert(1)', ''),
  },
  { requiredKeys: ['customer', 'campaign'] },
);
