// fast-check generators for customers: import lines (valid ones, mutated ones, arbitrary text) and the template
// context a stored customer renders with.
import fc from 'fast-check';
import type { TemplateContext } from '../../../src/campaigns/types';
import { anyJsonValue, hugeString, nastyString, oddNumber, safeString } from './text';

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
const attributes = fc.dictionary(
  fc.oneof(fc.constantFrom('city', 'points', 'url', 'a', 'nested', 'odd key'), safeString({ maxLength: 10 })),
  attributeValue,
  {
    maxKeys: 5,
  },
);

/** An import line the importer must accept (the categories news and service exist, service is hidden). */
export const validLine = fc.record(
  {
    id: customerId,
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

type Line = Record<string, unknown>;

/** One change that may or may not make a line invalid. */
const lineMutation: fc.Arbitrary<(l: Line) => void> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('id', 'email', 'emailQualityCode', 'emailSubscribed', 'categories', 'firstName', 'tags', 'attributes'),
      anyJsonValue,
    )
    .map(
      ([k, v]) =>
        (l: Line) =>
          void (l[k] = v),
    ),
  fc.constantFrom('id', 'emailSubscribed').map((k) => (l: Line) => void delete l[k]),
  fc.tuple(nastyString(10), anyJsonValue).map(
    ([k, v]) =>
      (l: Line) =>
        void Object.defineProperty(l, `x${k}`, { value: v, enumerable: true }),
  ),
  fc
    .constantFrom('__proto__', 'constructor', 'toString')
    .map((k) => (l: Line) => void Object.defineProperty(l, k, { value: 1, enumerable: true })),
  fc.tuple(fc.constantFrom('firstName', 'lastName', 'email'), fc.oneof(nastyString(), hugeString)).map(
    ([k, v]) =>
      (l: Line) =>
        void (l[k] = v),
  ),
  fc.tuple(nastyString(10), anyJsonValue).map(
    ([k, v]) =>
      (l: Line) =>
        void (l.attributes = { ...(l.attributes as object), [k]: v }),
  ),
  fc.constantFrom({ nope: true }, { news: 'yes' }, { service: false }).map((c) => (l: Line) => void (l.categories = c)),
  fc
    .constantFrom(
      ['bad tag'],
      Array.from({ length: 101 }, (_, i) => `t${i}`),
      [1],
    )
    .map((t) => (l: Line) => void (l.tags = t)),
);

/** A line as text: a valid line, a mutated one, or something that is not a customer (or not JSON) at all. */
export const anyLineText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: validLine.map((l) => JSON.stringify(l)) },
  {
    weight: 4,
    arbitrary: fc.tuple(validLine, fc.array(lineMutation, { minLength: 1, maxLength: 3 })).map(([l, ms]) => {
      const line: Line = { ...l };
      for (const m of ms) m(line);
      return JSON.stringify(line);
    }),
  },
  { weight: 2, arbitrary: anyJsonValue.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: nastyString(60) },
  fc.constantFrom('', ' ', '\t', '\ufeff{}', '{', '}', '[', 'null', '{"id":"a","emailSubscribed":true}x'),
);

/** A whole import file: lines joined by \n or \r\n, sometimes with a trailing newline or a BOM. */
export const importText: fc.Arbitrary<string> = fc
  .tuple(fc.array(anyLineText, { minLength: 0, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, trailing]) => lines.join(eol) + (trailing ? eol : ''));

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
