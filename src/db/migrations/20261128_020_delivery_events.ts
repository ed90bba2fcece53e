import type { Knex } from 'knex';

// Hearing back from SendGrid (README "Event webhook"):
// - webhook_events: every event SendGrid posted, stored once. sg_event_id is SendGrid's dedup key, but SendGrid gives a
//   resent batch new sg_event_ids, so the content of an event (message, event, time, address, url) is unique too: a
//   replayed or resent event is found by either key and changes nothing.
// - send_delivery: what happened to a send after SendGrid took it (one row per send_ledger row, recipient only: an event
//   for a BCC copy never lands here), for the report and for operators.
// - email_soft_failures: soft delivery failures per customer and address, at most one per send, for SmartCom's "7 soft
//   bounces within a month make the address undeliverable (34)".
// - customers.email_quality_event_at / email_soft_reset_at: when an event last set the quality code, and the delivery
//   that last reset the soft counter, so that events arriving out of order do not undo newer ones.
// - mailing_categories.asm_group_id: the SendGrid suppression group a category maps to (sends carry asm.group_id).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mailing_categories', (t) => {
    t.integer('asm_group_id').unique();
  });
  await knex.schema.alterTable('customers', (t) => {
    t.timestamp('email_quality_event_at', { useTz: true });
    t.timestamp('email_soft_reset_at', { useTz: true });
  });

  await knex.schema.createTable('webhook_events', (t) => {
    t.bigIncrements('id');
    t.text('sg_event_id').notNullable().unique();
    // The content key (sha256 of sg_message_id or send_key, event, timestamp, address, url): unique as well.
    t.text('content_key').notNullable().unique();
    t.text('event').notNullable();
    t.timestamp('event_at', { useTz: true }).notNullable();
    t.text('sg_message_id');
    t.text('send_key');
    // recipient | bcc | other_address | no_send | invalid: how the event matched a send (only `recipient` has effects)
    t.text('matched').notNullable();
    t.bigInteger('ledger_id');
    t.text('customer_id');
    // what the event changed, in words (for operators), e.g. "quality 32; channel unsubscribed"
    t.text('effects');
    t.jsonb('payload').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['ledger_id']);
  });

  await knex.schema.createTable('send_delivery', (t) => {
    t.bigInteger('ledger_id').primary().references('send_ledger.id').onDelete('CASCADE');
    t.text('customer_id').notNullable();
    // processed | deferred | delivered | bounced | dropped: the furthest a send got (README table); null until SendGrid
    // said anything (a one-click unsubscribe can come first)
    t.text('status');
    t.timestamp('status_at', { useTz: true });
    t.timestamp('processed_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.integer('deferred_count').notNullable().defaultTo(0);
    t.timestamp('last_deferred_at', { useTz: true });
    t.timestamp('bounced_at', { useTz: true });
    t.text('bounce_type'); // bounce | blocked (SendGrid's `type`)
    t.text('bounce_class'); // hard | soft
    t.timestamp('dropped_at', { useTz: true });
    t.text('drop_reason');
    t.integer('open_count').notNullable().defaultTo(0);
    t.timestamp('first_opened_at', { useTz: true });
    t.timestamp('last_opened_at', { useTz: true });
    t.integer('click_count').notNullable().defaultTo(0);
    t.timestamp('first_clicked_at', { useTz: true });
    t.timestamp('last_clicked_at', { useTz: true });
    t.timestamp('unsubscribed_at', { useTz: true });
    t.timestamp('spam_reported_at', { useTz: true });
    t.integer('quality_code'); // the code this send's events gave the address, if any
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('email_soft_failures', (t) => {
    t.text('customer_id').notNullable().references('customers.external_id').onDelete('CASCADE');
    t.text('email').notNullable(); // normalised: a new address starts a new count
    t.bigInteger('ledger_id').notNullable().unique(); // one per send, however many deferrals it met
    t.integer('quality_code').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.index(['customer_id', 'occurred_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('email_soft_failures');
  await knex.schema.dropTableIfExists('send_delivery');
  await knex.schema.dropTableIfExists('webhook_events');
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('email_quality_event_at');
    t.dropColumn('email_soft_reset_at');
  });
  await knex.schema.alterTable('mailing_categories', (t) => {
    t.dropColumn('asm_group_id');
  });
}
