// Concurrent webhook batches against the real Postgres (applyDeliveryEvents, as the service calls it): after an outage
// SendGrid retries many batches at once, and two of them may touch the same customers in opposite orders. Each batch
// must wait for the other, never deadlock (40P01: one batch rolled back, answered 503, and sent again by SendGrid).
import assert from 'node:assert/strict';
import { campaignRunWorkflowId } from '../../src/contract';
import { applyDeliveryEvents, type DeliveryEvent, type EventType } from '../../src/db/deliveryEvents';
import { testEnv } from '../support/env';
import { uid } from '../support/harness';
import { emails, storeDoc } from '../support/campaigns';
import { customers } from '../support/customers';

const CUSTOMERS = 12;
const ROUNDS = 12;

describe('webhook batches applied concurrently (Postgres)', function () {
  it('two batches touching the same customers in opposite orders queue, and never deadlock', async function () {
    this.timeout(180_000);
    const { db } = testEnv();
    const stored = await storeDoc(emails(uid('deadlock'), 1));
    const ids = await customers(CUSTOMERS, {}, 'dl');
    const sends = ids.map((customerId, i) => ({
      customerId,
      email: `${customerId}@example.com`,
      runKey: campaignRunWorkflowId(stored.campaign.id, customerId),
      messageId: `${uid('msg')}-${i}`,
    }));
    await db('send_ledger').insert(
      sends.map((s) => ({
        run_key: s.runKey,
        action_id: 'email-1',
        campaign_id: stored.campaign.id,
        campaign_version: stored.version,
        customer_id: s.customerId,
        status: 'sent',
        provider_message_id: s.messageId,
      })),
    );
    const base = Math.floor(Date.now() / 1000);
    const batch = (event: EventType, round: number, order: typeof sends): DeliveryEvent[] =>
      order.map((s) => {
        const raw = { sg_event_id: uid('ev'), event, email: s.email, timestamp: base + round, send_key: `${s.runKey}/email-1` };
        return {
          sgEventId: raw.sg_event_id,
          event,
          timestamp: raw.timestamp,
          email: s.email,
          sgMessageId: `${s.messageId}.filterdrecv-0`,
          sendKey: raw.send_key,
          raw,
        };
      });

    const failures: string[] = [];
    let deadlocks = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.allSettled([
        applyDeliveryEvents(db, batch('delivered', round, sends)),
        applyDeliveryEvents(db, batch('click', round, [...sends].reverse())),
      ]);
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        const err = r.reason as { code?: string; message: string };
        if (err.code === '40P01') deadlocks++;
        else failures.push(err.message.split('\n')[0]);
      }
    }
    console.log(`      ${deadlocks} of ${ROUNDS * 2} batches deadlocked (${ROUNDS} rounds of two batches, ${CUSTOMERS} customers each)`);
    assert.deepEqual(failures, []);
    assert.equal(deadlocks, 0, `${deadlocks} of ${ROUNDS * 2} batches were rolled back as deadlocked (40P01)`);
    // Every batch was applied whole: each send has every round's click.
    const rows = await db('send_delivery')
      .whereIn(
        'customer_id',
        sends.map((s) => s.customerId),
      )
      .select('click_count', 'status');
    assert.equal(rows.length, CUSTOMERS);
    assert.ok(
      rows.every((r) => r.click_count === ROUNDS && r.status === 'delivered'),
      JSON.stringify(rows),
    );
  });
});
