import type { Knex } from 'knex';

// Every launch our client starts, recorded before its workflow starts: `campaign-runner stop` finds a launch started a
// moment ago here, where visibility (eventually consistent) may not list it yet.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('launches', (t) => {
    t.text('campaign_id').notNullable();
    t.text('launch_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['campaign_id', 'launch_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('launches');
}
