import assert from 'node:assert/strict';
import { checkCustomerLine, fieldName, type ImportLineError } from '../../src/db/customerLine';

const categories = new Map([
  ['news', { visible: true }],
  ['service', { visible: false }],
]);

/** Checks each non-blank line on its own (duplicates are found in the database: test/e2e/customerImport.test.ts). */
function check(text: string) {
  const results = text
    .split('\n')
    .map((raw, i) => (raw.trim() === '' ? null : checkCustomerLine(raw, i + 1, categories)))
    .filter((r) => r !== null);
  return { customers: results.flatMap((r) => (r.customer ? [r.customer] : [])), errors: results.flatMap((r) => r.errors) };
}

describe('customer import lines (pure)', () => {
  it('accepts good lines, skips blank ones and keeps an invalid address as data', () => {
    const text = [
      JSON.stringify({ id: 'c-1', email: 'a@example.com', emailSubscribed: true, categories: { news: false, service: true } }),
      '',
      JSON.stringify({ id: 'c-2', email: 'not-an-address', emailQualityCode: 31, emailSubscribed: false, tags: ['vip'] }),
    ].join('\n');
    const { customers, errors } = check(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      customers.map((c) => c.id),
      ['c-1', 'c-2'],
    );
  });

  it('reports every bad line by number and field', () => {
    const text = [
      '{"id": "c-1", "emailSubscribed": true}',
      '{not json',
      '{"id": "c 2", "emailSubscribed": "yes", "emailQualityCode": 3.5}',
      '{"id": "c-3", "emailSubscribed": true, "phone": "123"}',
      '{"id": "c-5", "emailSubscribed": true, "categories": {"nope": true, "service": false}}',
      '{"id": "c-6", "emailSubscribed": true, "tags": ["ok", "bad tag"], "emailQualityCode": 120}',
      '{"email": "x@example.com"}',
    ].join('\n');
    const { errors } = check(text);
    assert.equal(errors.find((e) => e.line === 2)!.message, 'not valid JSON (unexpected "n" at column 2)');
    assert.equal(errors.find((e) => e.field === 'categories.nope')!.message, 'unknown mailing category');
    assert.equal(errors.find((e) => e.field === 'categories.service')!.message, 'hidden category cannot be unsubscribed from');
    assert.equal(errors.find((e) => e.line === 4)!.message, 'unknown field');
    for (const [line, field] of [
      [2, null],
      [3, 'id'],
      [3, 'emailSubscribed'],
      [3, 'emailQualityCode'],
      [4, 'phone'],
      [6, 'tags.1'],
      [6, 'emailQualityCode'],
      [7, 'id'],
      [7, 'emailSubscribed'],
    ] as const) {
      assert.ok(
        errors.some((e) => e.line === line && e.field === field),
        `expected an error at line ${line} field ${field}: ${JSON.stringify(errors)}`,
      );
    }
    assert.equal(new Set(errors.map((e) => e.line)).size, 6); // line 1 is fine
  });

  it('gives the id of a line with other errors, so that a duplicate of it is still found, but not the customer', () => {
    const r = checkCustomerLine('{"id": "c-9", "emailSubscribed": "yes"}', 1, categories);
    assert.equal(r.id, 'c-9');
    assert.equal(r.customer, null);
    assert.equal(checkCustomerLine('{"id": "c 9", "emailSubscribed": true}', 1, categories).id, null);
  });

  it('refuses NUL and lone surrogates in strings and keys, once per field, with the field named safely', () => {
    const errors: ImportLineError[] = checkCustomerLine(
      '{"id": "c\\u0000", "emailSubscribed": true, "attributes": {"a\\u0000": "\\udc00x", "b": {"c": ["\\u0000"]}}, "x\\u0000": 1}',
      7,
      categories,
    ).errors;
    assert.deepEqual(errors, [
      { line: 7, field: 'id', message: 'contains a NUL character (\\u0000)' },
      { line: 7, field: 'attributes."a\\u0000"', message: 'key contains a NUL character (\\u0000)' },
      { line: 7, field: 'attributes."a\\u0000"', message: 'contains a lone UTF-16 surrogate (not valid Unicode)' },
      { line: 7, field: 'attributes.b.c.0', message: 'contains a NUL character (\\u0000)' },
      { line: 7, field: '"x\\u0000"', message: 'key contains a NUL character (\\u0000)' },
    ]);
    const pair = checkCustomerLine('{"id": "c-1", "emailSubscribed": true, "firstName": "\\ud83d\\ude00"}', 1, categories);
    assert.deepEqual(pair.errors, [], 'a surrogate pair is a character');
  });

  it('attribute limits: size, depth, key length', () => {
    const line = (attributes: unknown) =>
      checkCustomerLine(JSON.stringify({ id: 'c-1', emailSubscribed: true, attributes }), 1, categories).errors;
    assert.deepEqual(line({ a: 'x'.repeat(16_300) }), []);
    assert.deepEqual(line({ a: 'x'.repeat(16_400) }), [{ line: 1, field: 'attributes', message: 'larger than 16384 bytes of JSON' }]);
    const nest = (n: number): unknown => JSON.parse('{"k":'.repeat(n) + '1' + '}'.repeat(n));
    assert.deepEqual(line({ a: nest(31) }), [], 'the attributes object and 31 levels under it');
    assert.deepEqual(line({ a: nest(32) }), [{ line: 1, field: 'attributes.a', message: 'nested deeper than 32 levels' }]);
    // Thousands of levels: refused without a stack overflow.
    const deep = `{"id": "c-1", "emailSubscribed": true, "attributes": {"a": ${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
    assert.deepEqual(checkCustomerLine(deep, 1, categories).errors, [
      { line: 1, field: 'attributes.a', message: 'nested deeper than 32 levels' },
    ]);
    assert.deepEqual(line({ b: { ['k'.repeat(129)]: 1 } }), [
      { line: 1, field: `attributes.b.${'k'.repeat(129)}`, message: 'key is longer than 128 characters' },
    ]);
  });

  it('refuses "__proto__" as an attribute key or category code (it would vanish from what is stored)', () => {
    // The counterexample a property test found: the import reported the line merged, and the key was gone.
    const attr = checkCustomerLine('{"id":"c-1","emailSubscribed":false,"attributes":{"__proto__":""}}', 1, categories);
    assert.equal(attr.customer, null);
    assert.deepEqual(attr.errors, [{ line: 1, field: 'attributes.__proto__', message: 'is not allowed as a key' }]);
    const cat = checkCustomerLine('{"id":"c-1","emailSubscribed":true,"categories":{"__proto__":true}}', 1, categories);
    assert.equal(cat.customer, null);
    assert.deepEqual(cat.errors, [{ line: 1, field: 'categories.__proto__', message: 'is not allowed as a key' }]);
    // Deeper down, JSON values are stored as parsed: an own "__proto__" key there stays.
    const deep = checkCustomerLine('{"id":"c-1","emailSubscribed":true,"attributes":{"a":{"__proto__":1}}}', 1, categories);
    assert.deepEqual(deep.errors, []);
    assert.deepEqual(Object.keys(deep.customer!.attributes!.a as object), ['__proto__']);
  });

  it('names fields: plain keys as they are, other keys quoted and escaped', () => {
    assert.equal(fieldName(['attributes', 'city']), 'attributes.city');
    assert.equal(fieldName(['tags', 1]), 'tags.1');
    assert.equal(fieldName(['attributes', 'my key', 'a.b']), 'attributes."my key"."a.b"');
    assert.equal(fieldName(['categories', 'n\u0000\n']), 'categories."n\\u0000\\n"');
    assert.equal(fieldName([]), null);
  });
});
