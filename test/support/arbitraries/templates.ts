// fast-check generators for Liquid templates: `validTemplate` uses only what docs/campaigns.md "Templates" allows (so
// checkTemplate must accept it), `anyTemplate` mixes in what it refuses (unknown variables and filters, file tags, raw,
// unclosed and stray tags, deep nesting) and arbitrary text.
import fc from 'fast-check';
import { hugeString, nastyString, safeString } from './text';

// Plain text that cannot open Liquid syntax or spell the raw filter.
const text = safeString({ maxLength: 20 }).map((s) => s.replace(/[{}%|]/g, ''));

const KNOWN = [
  'customer.id',
  'customer.email',
  'customer.firstName',
  'customer.lastName',
  'customer.tags',
  'customer.tags.size',
  'customer.tags.first',
  'customer.tags.last',
  'customer.tags[0]',
  'customer.tags[-1]',
  'customer.attributes',
  'customer.attributes.city',
  'customer.attributes.points',
  'customer.attributes.a.b.c',
  'customer.attributes["odd key"]',
  'customer.attributes.nested.list[1]',
  'campaign.id',
  'campaign.name',
  'unsubscribe_url',
];
const UNKNOWN = [
  'unsubscribe_url.x',
  'customer.phone',
  'customer',
  'foo',
  'campaign.secret',
  'customer.tags.foo',
  'settings.from',
  'customer.email.domain',
];

const literal = fc.oneof(
  fc.constantFrom('1', '-0', '0.5', '99999999999999999999', 'nil', 'true', 'false', 'empty', 'blank', '(1..3)', '(3..1)'),
  text.map((s) => `'${s.replace(/'/g, '')}'`),
);
const knownValue = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KNOWN) }, literal);

const FILTERS = [
  'upcase',
  'downcase',
  'capitalize',
  'size',
  'first',
  'last',
  'escape',
  'escape_once',
  'strip',
  'strip_html',
  'strip_newlines',
  'newline_to_br',
  'url_encode',
  'url_decode',
  'json',
  'reverse',
  'sort',
  'uniq',
  'compact',
  'abs',
  'round',
  'ceil',
  'floor',
  "default: 'friend'",
  "append: '!'",
  "prepend: '>'",
  'plus: 1',
  'minus: 1.5',
  'times: 1000',
  'divided_by: 0',
  'modulo: 0',
  'truncate: 3',
  'truncatewords: 1',
  "split: ','",
  "join: ', '",
  "replace: 'a', 'b'",
  "remove: 'a'",
  'slice: 1, 2',
  "date: '%Y-%m-%d'",
  'at_least: 1',
  'at_most: 1',
  "where: 'x'",
  "map: 'x'",
  'concat: customer.tags',
];
const filters = fc.array(fc.constantFrom(...FILTERS), { maxLength: 3 }).map((fs) => fs.map((f) => ` | ${f}`).join(''));
const output = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, filters, fc.constantFrom(['{{ ', ' }}'], ['{{- ', ' -}}'])).map(([v, f, [open, close]]) => `${open}${v}${f}${close}`);

const HREFS = [
  'https://shop.example.com/p?q=1',
  'https://shop.example.com/p?utm_source=x#top',
  'http://shop.example.com',
  'mailto:care@shop.example.com',
  'tel:+33123456789',
  '{{ customer.attributes.url }}',
  'https://shop.example.com/{{ customer.id }}',
  '{{ customer.attributes.url | default: "https://shop.example.com" }}',
];

/** Liquid using only known variables, filters and tags: checkTemplate accepts every one. */
export const validTemplate: fc.Arbitrary<string> = fc
  .letrec<{ node: string; body: string }>((tie) => ({
    body: fc.array(tie('node'), { maxLength: 4 }).map((ns) => ns.join('')),
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: text },
      { weight: 4, arbitrary: output(knownValue) },
      fc.constantFrom(...HREFS).map((h) => `<a href="${h}">link</a>`),
      fc.tuple(knownValue, tie('body'), tie('body')).map(([v, a, b]) => `{% if ${v} %}${a}{% else %}${b}{% endif %}`),
      fc.tuple(knownValue, tie('body')).map(([v, a]) => `{% unless ${v} %}${a}{% endunless %}`),
      fc
        .tuple(fc.constantFrom('customer.tags', '(1..3)', '(1..1000000000)', 'customer.attributes.nested.list'), tie('body'))
        .map(([c, a]) => `{% for t in ${c} limit: 5 %}{{ t }}{{ forloop.index }}${a}{% else %}none{% endfor %}`),
      fc.tuple(knownValue, tie('body')).map(([v, a]) => `{% case ${v} %}{% when 'a', 1 %}${a}{% else %}x{% endcase %}`),
      fc.tuple(knownValue, filters).map(([v, f]) => `{% assign local = ${v}${f} %}{{ local }}`),
      tie('body').map((a) => `{% capture cap %}${a}{% endcapture %}{{ cap | size }}`),
      knownValue.map((v) => `{% liquid\n  assign x = ${v}\n  echo x\n%}`),
      fc.constantFrom(
        '{% raw %}{{ not.liquid }}{% endraw %}',
        '{% comment %}{{ customer.phone }}{% endcomment %}',
        "{% cycle 'a', 'b' %}",
        '{% increment n %}{% decrement n %}',
        '{% tablerow t in customer.tags %}{{ t }}{% endtablerow %}',
        '{% for t in customer.tags %}{% if forloop.first %}{% continue %}{% endif %}{% break %}{% endfor %}',
      ),
    ),
  }))
  .body.filter((s) => s.trim() !== '');

/** A template the checker must refuse: one problem spliced into a valid template. */
const problem = fc.oneof(
  output(fc.constantFrom(...UNKNOWN)),
  fc.constantFrom(
    '{{ customer.id | nope }}',
    "{% include 'header' %}",
    "{% render 'footer' %}",
    "{% layout 'base' %}",
    '{% nosuchtag %}',
    '{% if customer.id %}never closed',
    '{% endif %}',
    '{{ customer.id',
    '{% for %}{% endfor %}',
    '{% assign = 1 %}',
    '{{ customer.id | default: }}',
    "{{ 'unterminated }}",
  ),
);

/** Nesting beyond what a recursive parser survives: if blocks, for blocks, brackets, parentheses. */
const deepTemplate = fc
  .tuple(fc.constantFrom(100, 1_000, 5_000, 50_000), fc.constantFrom('if', 'for', 'bracket', 'paren', 'liquid-if'))
  .map(([n, kind]) => {
    switch (kind) {
      case 'if':
        return '{% if customer.id %}'.repeat(n) + 'x' + '{% endif %}'.repeat(n);
      case 'for':
        return '{% for t in customer.tags %}'.repeat(n) + 'x' + '{% endfor %}'.repeat(n);
      case 'bracket':
        return `{{ customer.tags${'['.repeat(n)}0${']'.repeat(n)} }}`;
      case 'paren':
        return `{{ ${'('.repeat(n)}1..2${')'.repeat(n)} }}`;
      default:
        return `{% liquid\n${'if customer.id\n'.repeat(n)}echo 1\n${'endif\n'.repeat(n)}%}`;
    }
  });

/** Many elements in one template: work that grows faster than the template would stall a check. */
const manyElements = fc
  .tuple(
    fc.constantFrom(1_000, 10_000, 50_000),
    fc.constantFrom(
      '{{ customer.id }}',
      "{% when 'a' %}x",
      '{% elsif customer.id %}x',
      '{{ customer.phone }}',
      '{% assign v = 1 %}',
      "{% cycle 'a', 'b' %}",
    ),
    fc.constantFrom(0, 500_000),
  )
  .map(([n, piece, pad]) => {
    const body = 'x'.repeat(pad) + piece.repeat(n);
    if (piece.startsWith('{% when')) return `{% case customer.id %}${body}{% endcase %}`;
    if (piece.startsWith('{% elsif')) return `{% if customer.id %}${body}{% endif %}`;
    return body;
  })
  .filter((s) => s.length <= 1_000_000);

/** Any template source: valid ones, valid ones with a problem spliced in, hostile shapes, arbitrary text. */
export const anyTemplate: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: validTemplate },
  {
    weight: 4,
    arbitrary: fc
      .tuple(validTemplate, problem, fc.nat())
      .map(([t, p, at]) => t.slice(0, at % (t.length + 1)) + p + t.slice(at % (t.length + 1))),
  },
  { weight: 3, arbitrary: nastyString(60) },
  { weight: 1, arbitrary: deepTemplate },
  { weight: 1, arbitrary: manyElements },
  { weight: 1, arbitrary: hugeString },
);
