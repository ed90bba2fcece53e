import type { Knex } from 'knex';

// Campaign timing (README "Campaign timing"):
// - flow_log: one row per (run, flow action) a customer reached (Wait, Wait until): still waiting (outcome null, with
//   waiting_until), or the branch it took (continued) or cancelled. The report counts it, as send_ledger for e-mails.
// - campaign_send_limits: a row for every campaign that has ever limited its messages per minute, with the latest
//   stored version's limit (null: that version has none). Workers poll each such campaign's sends queue with this rate;
//   the row stays when a later version drops the limit, because runs of the earlier versions still send through it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('flow_log', (t) => {
    t.text('run_key').notNullable();
    t.text('action_id').notNullable();
    t.text('campaign_id').notNullable();
    t.integer('campaign_version').notNullable();
    t.text('customer_id').notNullable();
    t.text('action_type').notNullable();
    t.text('outcome');
    t.timestamp('waiting_until', { useTz: true });
    t.timestamp('reached_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.primary(['run_key', 'action_id']);
    t.index(['campaign_id', 'action_id']);
  });
  await knex.schema.createTable('campaign_send_limits', (t) => {
    t.text('campaign_id').primary().references('id').inTable('campaigns');
    t.integer('messages_per_minute');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('campaign_send_limits');
  await knex.schema.dropTableIfExists('flow_log');
}
