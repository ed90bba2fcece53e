// The customer import against real Postgres: a known id merges (what a line leaves out keeps its stored value), bad text
// and oversized input are refused by line and field, and a refused file writes nothing.
import assert from 'node:assert/strict';
import { addTag } from '../../src/db/customers';
import { CustomerImportError, importCustomers } from '../../src/db/customerImport';
import { testEnv } from '../support/env';
import { importLines, outcomeOf, runToEnd, seedCategories, tagsOf, uid, useWorker } from '../support/harness';
import { emailCampaign } from '../support/campaigns';

async function stored(id: string) {
  const { db } = testEnv();
  const customer = await db('customers').where({ external_id: id }).first();
  const channel = await db('channel_subscriptions').where({ customer_id: id, channel: 'email' }).first();
  const cats = await db('category_subscriptions').where({ customer_id: id }).orderBy('category_code');
  return {
    customer,
    channel: channel?.active as boolean | undefined,
    categories: Object.fromEntries(cats.map((c) => [c.category_code, c.email_subscribed])),
  };
}

/** Imports `text`, expects the whole file refused, and returns the error. */
async function refused(text: string): Promise<CustomerImportError> {
  let caught: unknown;
  try {
    await importCustomers(testEnv().db, text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof CustomerImportError, `expected a CustomerImportError, got ${String(caught)}`);
  return caught;
}

function errorAt(err: CustomerImportError, line: number, field: string | null) {
  const e = err.errors.find((x) => x.line === line && x.field === field);
  assert.ok(e, `expected an error at line ${line} field ${field}: ${JSON.stringify(err.errors)}`);
  return e;
}

async function countWithPrefix(prefix: string): Promise<number> {
  const [{ n }] = await testEnv().db('customers').where('external_id', 'like', `${prefix}%`).count({ n: '*' });
  return Number(n);
}

describe('customer import (Postgres)', () => {
  before(() => seedCategories());

  it('a known id merges: an omitted field keeps its stored value, a given field replaces it', async () => {
    const id = uid('merge');
    await importLines([
      {
        id,
        email: `${id}@example.com`,
        emailQualityCode: 31,
        emailSubscribed: true,
        categories: { news: true, promo: true },
        firstName: 'Ann',
        lastName: 'Lee',
        attributes: { city: 'Lyon', tier: 'gold' },
        tags: ['vip'],
      },
    ]);
    await addTag(testEnv().db, id, 'welcomed'); // what a campaign's setTag does

    await importLines([{ id, emailSubscribed: false, categories: { news: false } }]);
    let s = await stored(id);
    assert.equal(s.customer.email, `${id}@example.com`);
    assert.equal(s.customer.email_quality_code, 31, 'a hard bounce survives a line that does not mention it');
    assert.equal(s.customer.first_name, 'Ann');
    assert.equal(s.customer.last_name, 'Lee');
    assert.deepEqual(s.customer.attributes, { city: 'Lyon', tier: 'gold' });
    assert.deepEqual(s.customer.tags, ['vip', 'welcomed']);
    assert.equal(s.channel, false);
    assert.deepEqual(s.categories, { news: false, promo: true }, 'a category left out keeps its row');

    await importLines([
      {
        id,
        email: null,
        emailQualityCode: 0,
        emailSubscribed: true,
        firstName: 'Anna',
        lastName: null,
        attributes: { city: 'Paris' },
        tags: [],
      },
    ]);
    s = await stored(id);
    assert.equal(s.customer.email, null, 'an explicit null clears');
    assert.equal(s.customer.email_quality_code, 0);
    assert.equal(s.customer.first_name, 'Anna');
    assert.equal(s.customer.last_name, null);
    assert.deepEqual(s.customer.attributes, { city: 'Paris' }, 'given attributes replace the stored ones');
    assert.deepEqual(s.customer.tags, [], 'given tags replace the list');
    assert.equal(s.channel, true);
    assert.deepEqual(s.categories, { news: false, promo: true });

    const before = s.customer.updated_at as Date;
    await importLines([{ id, email: null, emailSubscribed: true, firstName: 'Anna', tags: [], categories: { promo: true } }]);
    s = await stored(id);
    assert.equal((s.customer.updated_at as Date).getTime(), before.getTime(), 'a line that changes nothing writes nothing');
  });

  it('a new customer gets the defaults', async () => {
    const id = uid('new');
    await importLines([{ id, emailSubscribed: true }]);
    const s = await stored(id);
    assert.equal(s.customer.email, null);
    assert.equal(s.customer.email_quality_code, 0);
    assert.equal(s.customer.first_name, null);
    assert.deepEqual(s.customer.attributes, {});
    assert.deepEqual(s.customer.tags, []);
    assert.equal(s.channel, true);
    assert.deepEqual(s.categories, {});
  });

  it('a NUL (or a lone surrogate) in any string is refused with its line and field, and nothing is written', async () => {
    const good = uid('nul');
    const lines = [
      JSON.stringify({ id: good, email: `${good}@example.com`, emailSubscribed: true }),
      '{"id": "a\\u0000b", "emailSubscribed": true}',
      `{"id": "${uid('nul')}", "email": "x\\u0000@example.com", "emailSubscribed": true}`,
      `{"id": "${uid('nul')}", "firstName": "A\\u0000", "lastName": "B\\u0000", "emailSubscribed": true}`,
      `{"id": "${uid('nul')}", "attributes": {"city": "Ly\\u0000on", "ci\\u0000ty": 1, "home": {"street": ["x", "\\u0000"]}}, "emailSubscribed": true}`,
      `{"id": "${uid('nul')}", "tags": ["v\\u0000ip"], "categories": {"ne\\u0000ws": true}, "emailSubscribed": true}`,
      `{"id": "${uid('nul')}", "firstName": "lone \\ud800 surrogate", "emailSubscribed": true}`,
    ].join('\n');
    const err = await refused(lines);
    assert.match(errorAt(err, 2, 'id').message, /NUL/);
    assert.match(errorAt(err, 3, 'email').message, /NUL/);
    assert.match(errorAt(err, 4, 'firstName').message, /NUL/);
    assert.match(errorAt(err, 4, 'lastName').message, /NUL/);
    assert.match(errorAt(err, 5, 'attributes.city').message, /NUL/);
    assert.match(errorAt(err, 5, 'attributes."ci\\u0000ty"').message, /NUL/);
    assert.match(errorAt(err, 5, 'attributes.home.street.1').message, /NUL/);
    assert.match(errorAt(err, 6, 'tags.0').message, /NUL/);
    assert.match(errorAt(err, 6, 'categories."ne\\u0000ws"').message, /NUL/);
    assert.match(errorAt(err, 7, 'firstName').message, /surrogate/);
    assert.ok(!err.errors.some((e) => e.line === 1));
    assert.ok(!err.message.includes('\u0000'), 'the printed error holds no raw NUL');
    assert.equal(await countWithPrefix(good), 0);
  });

  it('limits: line length, attributes size and depth, key and string lengths, each named by line and field', async () => {
    const id = () => uid('lim');
    const lines = [
      JSON.stringify({ id: id(), emailSubscribed: true, firstName: 'x'.repeat(70_000) }),
      JSON.stringify({ id: id(), emailSubscribed: true, attributes: { notes: 'x'.repeat(17_000) } }),
      JSON.stringify({ id: id(), emailSubscribed: true, attributes: { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }),
      JSON.stringify({ id: id(), emailSubscribed: true, attributes: { ['k'.repeat(200)]: 1 } }),
      JSON.stringify({ id: id(), emailSubscribed: true, email: `${'x'.repeat(320)}@example.com` }),
      JSON.stringify({ id: id(), emailSubscribed: true, attributes: { ok: 'x'.repeat(15_000) } }),
    ].join('\n');
    const err = await refused(lines);
    assert.match(errorAt(err, 1, null).message, /longer than 65536 bytes/);
    assert.match(errorAt(err, 2, 'attributes').message, /16384 bytes/);
    assert.match(errorAt(err, 3, 'attributes.deep').message, /deeper than 32 levels/);
    assert.match(errorAt(err, 4, `attributes.${'k'.repeat(200)}`).message, /128/);
    errorAt(err, 5, 'email');
    assert.equal(new Set(err.errors.map((e) => e.line)).size, 5, 'line 6 is within the limits');
  });

  it('a file with many bad lines lists the first 100 errors and counts them all', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify({ id: uid('many'), emailSubscribed: i === 0 ? true : 'yes' }));
    const err = await refused(lines.join('\n'));
    assert.equal(err.errors.length, 100);
    assert.equal(err.errorCount, 249);
    assert.equal(err.badLineCount, 249);
    assert.equal(err.errors[0].line, 2);
    assert.match(err.message, /nothing was written \(249 errors on 249 lines; the first 100 are listed\)/);
    assert.match(err.message, /149 more errors not listed/);
    assert.equal(err.message.split('\n').length, 102);
  });

  it('a duplicate id is found however far apart the two lines are', async () => {
    const prefix = uid('dup');
    const lines = Array.from({ length: 2500 }, (_, i) => ({ id: `${prefix}-${i}`, emailSubscribed: true }));
    lines[2400] = { id: `${prefix}-1`, emailSubscribed: false };
    const err = await refused(lines.map((l) => JSON.stringify(l)).join('\n'));
    assert.deepEqual(err.errors, [{ line: 2401, field: 'id', message: 'duplicate of line 2' }]);
    assert.equal(await countWithPrefix(prefix), 0);
  });
});

describe('customer import: planner statistics', () => {
  it('an import that changes more than a tenth of the customers analyzes the table: the planner knows its tag', async () => {
    const { db } = testEnv();
    const tag = uid('stats');
    const { rows } = await db.raw(`select greatest(reltuples, 0) as n from pg_class where oid = 'customers'::regclass`);
    const n = Math.ceil(Number(rows[0].n) * 0.2) + 100;
    const lines = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ id: `${tag}-${i}`, email: `${tag}-${i}@example.com`, emailSubscribed: true, tags: [tag] }),
    );
    await importCustomers(db, lines.join('\n'));
    const stats = await db.raw(
      `select most_common_elems::text::text[] as elems from pg_stats where tablename = 'customers' and attname = 'tags'`,
    );
    assert.ok(stats.rows[0]?.elems?.includes(tag), `tag ${tag} not in the statistics: ${JSON.stringify(stats.rows)}`);
  });
});

describe('customer import and campaigns (end to end)', function () {
  const w = useWorker();

  it('a re-import that leaves out the quality code and tags keeps a hard bounce unsendable and keeps campaign tags', async () => {
    const bounced = uid('hb');
    const tagged = uid('tg');
    await importLines([
      { id: bounced, email: `${bounced}@example.com`, emailQualityCode: 31, emailSubscribed: true },
      { id: tagged, email: `${tagged}@example.com`, emailSubscribed: true, tags: ['vip'] },
    ]);
    const first = await emailCampaign();
    assert.equal(outcomeOf(await runToEnd(w, first, tagged), 'tag').status, 'done');
    assert.deepEqual(await tagsOf(tagged), ['vip', 'welcomed']);

    await importLines([
      { id: bounced, email: `${bounced}@example.com`, emailSubscribed: true, firstName: 'Bo' },
      { id: tagged, email: `${tagged}@example.com`, emailSubscribed: true, firstName: 'Tia' },
    ]);
    assert.deepEqual(await tagsOf(tagged), ['vip', 'welcomed']);
    const second = await emailCampaign();
    assert.deepEqual(outcomeOf(await runToEnd(w, second, bounced), 'email'), { status: 'skipped', reasons: ['email_invalid'] });
  });
});
