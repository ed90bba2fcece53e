// When a customer got each tag (customer_tags_added), which the campaign goal reads: written once, the first time, by a
// real Set tag run and by the customer import for tags the customer did not have; a tag the customer already had, a
// retried Set tag and an unchanged re-import write nothing; a tag removed and applied again keeps its first time.
import assert from 'node:assert/strict';
import { addTag } from '../../src/db/customers';
import { importCustomers } from '../../src/db/customerImport';
import { testEnv } from '../support/env';
import { outcomeOf, runToEnd, uid, useWorker } from '../support/harness';
import { emailCampaign } from '../support/campaigns';

async function added(customerId: string): Promise<Record<string, Date>> {
  const rows = await testEnv().db('customer_tags_added').where({ customer_id: customerId }).orderBy('tag');
  return Object.fromEntries(rows.map((r) => [r.tag, r.added_at as Date]));
}

const line = (id: string, tags?: string[]) =>
  JSON.stringify({ id, email: `${id}@example.com`, emailSubscribed: true, ...(tags ? { tags } : {}) });

describe('customer tag times (the campaign goal)', () => {
  const w = useWorker();

  it('the import records the tags a customer did not have, once; re-imports and removals keep the first time', async () => {
    const { db } = testEnv();
    const id = uid('tagtime');
    const other = uid('tagtime');
    await importCustomers(db, [line(id, ['vip', 'vip']), line(other)].join('\n'));
    const first = await added(id);
    assert.deepEqual(Object.keys(first), ['vip']);
    assert.deepEqual(await added(other), {});

    await importCustomers(db, line(id, ['vip', 'gold']));
    const second = await added(id);
    assert.deepEqual(Object.keys(second), ['gold', 'vip']);
    assert.equal(second.vip.getTime(), first.vip.getTime(), 'a tag the customer had keeps its time');
    assert.ok(second.gold > first.vip, 'a new tag gets the time of its import');

    await importCustomers(db, line(id, []));
    await importCustomers(db, line(id, ['vip']));
    assert.equal((await added(id)).vip.getTime(), first.vip.getTime(), 'removed and given again: the first time stays');
  });

  it('Set tag records the tag the first time it applies it, and not when the customer had it or the activity retries', async () => {
    const { db } = testEnv();
    const id = uid('tagset');
    await importCustomers(db, line(id, ['vip']));
    const imported = await added(id);
    const stored = await emailCampaign();
    assert.equal(outcomeOf(await runToEnd(w, stored, id), 'tag').status, 'done');
    const run = await added(id);
    assert.deepEqual(Object.keys(run), ['vip', 'welcomed']);
    assert.equal(run.vip.getTime(), imported.vip.getTime());

    // The activity's write, retried or run again, and for a tag the customer had: nothing changes.
    assert.equal(await addTag(db, id, 'welcomed'), true);
    assert.equal(await addTag(db, id, 'vip'), true);
    assert.deepEqual(await added(id), run);
    assert.equal(await addTag(db, uid('gone'), 'welcomed'), false, 'a customer who is gone');
    const tags = await db('customers').where({ external_id: id }).first('tags');
    assert.deepEqual(tags.tags, ['vip', 'welcomed']);
  });
});
