// fast-check generators for the text and values that break parsers: NUL and other controls, lone surrogates, line and
// paragraph separators, invisible and right-to-left marks, characters outside the BMP, markup and template syntax,
// strings around the limits, odd numbers, and nesting far deeper than any real document.
import fc from 'fast-check';

/** Characters that are harmless everywhere we store text: no NUL, no lone surrogate, no template or markup syntax. */
const SAFE_SPECIALS = [
  'é',
  'ß',
  'İ',
  'ﬁ',
  '😀',
  '👩‍👩‍👧',
  '中',
  'ع',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u00a0',
  '\t',
  '\u2028',
  '\u00ad',
  "'",
  '"',
];
const safeChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_!?()/'.split('')) },
  { weight: 2, arbitrary: fc.constantFrom(...SAFE_SPECIALS) },
);

const nastyChar = fc.oneof(
  { weight: 6, arbitrary: safeChar },
  fc.constantFrom('\0', '\u0001', '\u001b', '\r', '\n', '\r\n', '\u007f', '\u0085', '\u2029', '\ufeff', '\ufffd', '\uffff'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.constantFrom(
    '{{',
    '}}',
    '{%',
    '%}',
    '{{-',
    '-%}',
    '<',
    '>',
    '&',
    '&amp;',
    '\\',
    '|',
    ':',
    '[',
    ']',
    '@',
    '<a href="',
    '">',
    '\\u0000',
  ),
);

/** Printable-ish text that any field storing free text must accept. */
export function safeString(o: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit: safeChar, minLength: o.minLength ?? 0, maxLength: o.maxLength ?? 30 });
}

/** Anything a file could hold in a string, controls and broken UTF-16 included. */
export function nastyString(maxLength = 30): fc.Arbitrary<string> {
  return fc.string({ unit: nastyChar, maxLength });
}

/** Strings at and around the limits (1,000,000 characters for a template), made of one repeated piece. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(65_537, 200_001, 999_999, 1_000_000, 1_000_001, 1_500_000),
    fc.constantFrom('x', 'é', '😀', '{{ customer.id }}', ' ', '\0', '\n'),
  )
  .map(([n, piece]) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n));

export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 99, 100, 101, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1e308, 5e-324, 0.1 + 0.2),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/**
 * Nesting too deep for a recursive reader: an array `depth` levels deep. JSON.stringify overflows its stack on such a
 * value, so it stands in the document as a marker that toJsonText expands.
 */
export class Deep {
  constructor(readonly depth: number) {}
  toJSON(): string {
    return `\u0000deep:${this.depth}\u0000`;
  }
}
export const deep: fc.Arbitrary<Deep> = fc.constantFrom(64, 129, 1_000, 20_000, 200_000).map((d) => new Deep(d));

/** JSON text of a document that may hold Deep markers. */
export function toJsonText(doc: unknown, space?: number): string {
  return JSON.stringify(doc, null, space).replace(/"\\u0000deep:(\d+)\\u0000"/g, (_, d: string) => '['.repeat(+d) + ']'.repeat(+d));
}

/** Any value a JSON document can hold, with the nasty strings and numbers above mixed in. */
export const anyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: nastyString() },
  { weight: 2, arbitrary: oddNumber },
  fc.constantFrom(null, true, false, [], {}, '', ' ', '\0'),
  fc.dictionary(nastyString(8), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  deep,
  { weight: 1, arbitrary: hugeString },
);
