// The send ledger's claim, against real Postgres: what keeps two attempts of one sendEmail from both sending.
import assert from 'node:assert/strict';
import { getEntry, markSent, type LedgerMeta } from '../../src/db/ledger';
import { claimForSend, skipClaimed } from '../../src/db/sendState';
import { testEnv } from '../support/env';
import { importLines, seedCategories, uid } from '../support/harness';
import { customer } from '../support/customers';

describe('send ledger: claim and customer in one round trip', () => {
  before(() => seedCategories());

  async function meta(customerId: string): Promise<LedgerMeta> {
    return { runKey: uid('run'), actionId: 'email', campaignId: 'c', campaignVersion: 1, customerId, workflowRunId: 'run-1' };
  }

  it('the first attempt claims the send and reads the customer; a second attempt is refused while the lease runs', async () => {
    const { id } = await customer({ categories: { news: false }, firstName: 'Ann' }, 'c');
    const m = await meta(id);
    const first = await claimForSend(testEnv().db, m, 60_000, 'news');
    assert.equal(first.claimed?.status, 'sending');
    assert.equal(first.claimed?.attempts, 1);
    assert.equal(first.found?.customer.first_name, 'Ann');
    assert.equal(first.found?.emailChannelActive, true);
    assert.equal(first.found?.categorySubscribed, false);

    const second = await claimForSend(testEnv().db, m, 60_000, 'news');
    assert.equal(second.claimed, null);
    assert.equal(second.found?.customer.external_id, id, 'the customer is read even when the claim is refused');

    await markSent(testEnv().db, first.claimed!.id, 'msg-1', 0);
    assert.equal((await claimForSend(testEnv().db, m, 60_000, 'news')).claimed, null, 'a sent row is never claimed again');
    assert.equal((await getEntry(testEnv().db, m))?.providerMessageId, 'msg-1');
  });

  it('an unknown customer still gets a claim, so the skip is recorded on it', async () => {
    const m = await meta(uid('nobody'));
    const { claimed, found } = await claimForSend(testEnv().db, m, 60_000, undefined);
    assert.equal(found, null);
    assert.ok(claimed);
    assert.equal(await skipClaimed(testEnv().db, claimed, ['customer_not_found']), true);
    const entry = await getEntry(testEnv().db, m);
    assert.equal(entry?.status, 'skipped');
    assert.deepEqual(entry?.skipReasons, ['customer_not_found']);
    assert.equal(entry?.leaseActive, false);
  });

  it('after the lease runs out another attempt takes over, and the first one can no longer record its skip', async () => {
    const id = uid('c');
    await importLines([{ id, email: `${id}@example.com`, emailSubscribed: false }]);
    const m = await meta(id);
    const first = await claimForSend(testEnv().db, m, 1, undefined);
    await new Promise((r) => setTimeout(r, 20));
    const second = await claimForSend(testEnv().db, m, 60_000, undefined);
    assert.equal(second.claimed?.attempts, 2);
    assert.equal(await skipClaimed(testEnv().db, first.claimed!, ['email_channel_unsubscribed']), false);
    assert.equal((await getEntry(testEnv().db, m))?.status, 'sending');
  });
});
