// Test sends (`campaign-runner test-send`): their own table, never the send ledger. A test send is reserved (counted)
// before SendGrid is asked, under a per-campaign lock, so that concurrent commands cannot pass the hourly limit together.
import type { Db } from './knex';

export interface TestSendFacts {
  campaignId: string;
  campaignVersion: number;
  actionId: string;
  /** a customer id; null: the built-in test customer */
  renderedFor: string | null;
  /** the recipient's domain only, never the full address */
  toDomain: string;
}

export type TestSendReservation = { id: string } | { refused: { sentInLastHour: number; nextAt: Date } };

/** Reserves one test send for the campaign, or refuses when `perHour` were made in the last hour. */
export async function reserveTestSend(db: Db, f: TestSendFacts, perHour: number): Promise<TestSendReservation> {
  return db.transaction(async (trx) => {
    // One campaign's test sends one at a time: a lock on the campaign's id, held until commit; no row is written for it.
    await trx.raw("select pg_advisory_xact_lock(hashtext('test_sends:' || ?))", [f.campaignId]);
    const { rows } = await trx.raw(
      `select count(*)::int as n, min(created_at) as oldest from test_sends
        where campaign_id = ? and created_at > now() - interval '1 hour'`,
      [f.campaignId],
    );
    if (rows[0].n >= perHour) {
      return { refused: { sentInLastHour: rows[0].n, nextAt: new Date(new Date(rows[0].oldest).getTime() + 3600_000) } };
    }
    const [row] = await trx('test_sends')
      .insert({
        campaign_id: f.campaignId,
        campaign_version: f.campaignVersion,
        action_id: f.actionId,
        rendered_for: f.renderedFor,
        to_domain: f.toDomain,
      })
      .returning('id');
    return { id: String(row.id) };
  });
}

export async function finishTestSend(db: Db, id: string, r: { messageId: string } | { error: string }): Promise<void> {
  await db('test_sends')
    .where({ id })
    .update('messageId' in r ? { status: 'sent', provider_message_id: r.messageId } : { status: 'failed', error: r.error });
}
