import type { Knex } from 'knex';

// The ledger is the truth about what SendGrid took (docs/guarantees.md):
// - status 'unknown': SendGrid may have the message (its answer was lost, or an attempt died in flight) and the run waits
//   for SendGrid's word (an event carrying the send's send_key) before it decides.
// - confirmed_by_event / confirmed_at: an event proved that SendGrid took a send whose answer was lost (the row became
//   'sent' through the webhook); the event's type ('dropped': accepted, then dropped by SendGrid).
// - duplicate_confirmed: a send that may have gone out twice did: SendGrid reported a second message for it.
// - claimed_from / claimed_in_flight: the status a claim took the row over from (null for a new row) and whether the
//   attempt before was in flight, so that the claimer knows whether the message may already have left with it.
// - The send's key is (campaign, customer, action), what the promise is about, whatever workflow id the run has: a second
//   run of the same pair finds the first run's row. Rows that two runs of one pair wrote before this key existed keep
//   their history: all but the first are marked duplicate_run and left out of the key.
// - webhook_events.payload keeps no address: the address becomes its role (to, bcc, other), the event's ip and user
//   agent are dropped, and addresses quoted in texts (a bounce's reason) are replaced by a placeholder. The matching
//   that needs the address happens when the event arrives.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('send_ledger', (t) => {
    t.text('confirmed_by_event');
    t.timestamp('confirmed_at', { useTz: true });
    t.boolean('duplicate_confirmed').notNullable().defaultTo(false);
    t.text('claimed_from');
    t.boolean('claimed_in_flight').notNullable().defaultTo(false);
    t.boolean('duplicate_run').notNullable().defaultTo(false);
  });
  await knex.raw('alter table send_ledger drop constraint send_ledger_status');
  await knex.raw(
    "alter table send_ledger add constraint send_ledger_status check (status in ('sending','sent','skipped','failed','cancelled','unknown'))",
  );
  await knex.raw(`update send_ledger l set duplicate_run = true
                    where exists (select 1 from send_ledger e
                                   where e.campaign_id = l.campaign_id and e.customer_id = l.customer_id
                                     and e.action_id = l.action_id and e.id < l.id)`);
  await knex.raw('create unique index send_ledger_send_key on send_ledger (campaign_id, customer_id, action_id) where not duplicate_run');
  // Still how an event's send_key (<run key>/<action id>) finds its row; no longer the key.
  await knex.raw('alter table send_ledger drop constraint send_ledger_run_key_action_id_unique');
  await knex.raw('create index send_ledger_run_key_action_id on send_ledger (run_key, action_id)');

  // Events already stored lose their addresses the same way new ones never keep them.
  await knex.raw(`update webhook_events
     set payload = (payload - 'email' - 'ip' - 'useragent')
                   || jsonb_build_object('email', case matched when 'recipient' then '<to>' when 'bcc' then '<bcc>' else '<address>' end)
                   || case when payload->>'reason' is not null then jsonb_build_object('reason', regexp_replace(payload->>'reason', '[^\\s<>()\\[\\]",;:]+@[^\\s<>()\\[\\]",;:]+', '<address>', 'g')) else '{}'::jsonb end
                   || case when payload->>'response' is not null then jsonb_build_object('response', regexp_replace(payload->>'response', '[^\\s<>()\\[\\]",;:]+@[^\\s<>()\\[\\]",;:]+', '<address>', 'g')) else '{}'::jsonb end`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index send_ledger_run_key_action_id');
  await knex.raw('drop index send_ledger_send_key');
  await knex.raw('alter table send_ledger add constraint send_ledger_run_key_action_id_unique unique (run_key, action_id)');
  await knex.raw("update send_ledger set status = 'failed', failure_reason = 'delivery_unknown' where status = 'unknown'");
  await knex.raw('alter table send_ledger drop constraint send_ledger_status');
  await knex.raw(
    "alter table send_ledger add constraint send_ledger_status check (status in ('sending','sent','skipped','failed','cancelled'))",
  );
  await knex.schema.alterTable('send_ledger', (t) => {
    t.dropColumn('confirmed_by_event');
    t.dropColumn('confirmed_at');
    t.dropColumn('duplicate_confirmed');
    t.dropColumn('claimed_from');
    t.dropColumn('claimed_in_flight');
    t.dropColumn('duplicate_run');
  });
}
