import assert from 'node:assert/strict';
import { parseCustomerLines } from '../../src/db/customerImport';

const categories = new Map([
  ['news', { visible: true }],
  ['service', { visible: false }],
]);

describe('customer import lines (pure)', () => {
  it('accepts good lines, skips blank ones and keeps an invalid address as data', () => {
    const text = [
      JSON.stringify({ id: 'c-1', email: 'a@example.com', emailSubscribed: true, categories: { news: false, service: true } }),
      '',
      JSON.stringify({ id: 'c-2', email: 'not-an-address', emailQualityCode: 31, emailSubscribed: false, tags: ['vip'] }),
    ].join('\n');
    const { customers, errors } = parseCustomerLines(text, categories);
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
      '{"id": "c-1", "emailSubscribed": true}',
      '{"id": "c-5", "emailSubscribed": true, "categories": {"nope": true, "service": false}}',
      '{"id": "c-6", "emailSubscribed": true, "tags": ["ok", "bad tag"], "emailQualityCode": 120}',
      '{"email": "x@example.com"}',
    ].join('\n');
    const { errors } = parseCustomerLines(text, categories);
    assert.ok(errors.find((e) => e.line === 2)!.message.startsWith('not valid JSON'));
    assert.equal(errors.find((e) => e.line === 5)!.message, 'duplicate of line 1');
    assert.equal(errors.find((e) => e.field === 'categories.nope')!.message, 'unknown mailing category');
    assert.equal(errors.find((e) => e.field === 'categories.service')!.message, 'hidden category cannot be unsubscribed from');
    assert.equal(errors.find((e) => e.line === 4)!.message, 'unknown field');
    for (const [line, field] of [
      [2, null],
      [3, 'id'],
      [3, 'emailSubscribed'],
      [3, 'emailQualityCode'],
      [4, 'phone'],
      [5, 'id'],
      [7, 'tags.1'],
      [7, 'emailQualityCode'],
      [8, 'id'],
      [8, 'emailSubscribed'],
    ] as const) {
      assert.ok(
        errors.some((e) => e.line === line && e.field === field),
        `expected an error at line ${line} field ${field}: ${JSON.stringify(errors)}`,
      );
    }
    assert.equal(new Set(errors.map((e) => e.line)).size, 7); // line 1 is fine
  });
});
