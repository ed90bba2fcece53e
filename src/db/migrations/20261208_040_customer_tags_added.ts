import type { Knex } from 'knex';

// When a customer got each tag (issue 25: the campaign goal is "gets tag T within N days of entering"). customers.tags
// says which tags a customer has, not since when. One row per (customer, tag), the first time the tag was applied: by a
// Set tag action (db/customers.ts addTag) or by a customer import, for a tag the customer did not have. A tag removed and
// applied again keeps its first time. Tags customers had before this migration have no row: no time is known for them,
// and the goal treats them as held before any run entered.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customer_tags_added', (t) => {
    t.text('customer_id').notNullable().references('customers.external_id').onDelete('CASCADE');
    t.text('tag').notNullable();
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['customer_id', 'tag']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('customer_tags_added');
}
