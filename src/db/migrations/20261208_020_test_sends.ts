import type { Knex } from 'knex';

// Test sends (`campaign-runner test-send`): one row per message sent to a tester's address, never in the send ledger,
// the report, a run or a customer's data. It keeps when, which campaign version and action, for whom it was rendered
// (a customer id, or null for the built-in test customer), the recipient's domain only (never the full address), and
// SendGrid's message id; never the body. Rows of the last hour are what limits test sends per campaign.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('test_sends', (t) => {
    t.bigIncrements('id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('campaign_id').notNullable();
    t.integer('campaign_version').notNullable();
    t.text('action_id').notNullable();
    t.text('rendered_for'); // a customer id; null: the built-in test customer
    t.text('to_domain').notNullable();
    // sending: SendGrid has it or is being asked; sent: it answered 202; failed: it did not take the message
    t.text('status').notNullable().defaultTo('sending');
    t.text('provider_message_id');
    t.text('error');
    t.index(['campaign_id', 'created_at']);
  });
  await knex.raw("alter table test_sends add constraint test_sends_status check (status in ('sending','sent','failed'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('test_sends');
}
