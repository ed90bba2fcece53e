import type { Knex } from 'knex';

// A launch to "a file of customer ids" stores the ids here first (one transaction), so the launch workflow pages through
// Postgres like for any other audience and its history never holds the list.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('launch_audience', (t) => {
    t.text('launch_id').notNullable();
    t.text('customer_id').notNullable();
    t.primary(['launch_id', 'customer_id']);
  });
  await knex.raw('create index customers_tags_gin on customers using gin (tags)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists customers_tags_gin');
  await knex.schema.dropTableIfExists('launch_audience');
}
