import type { Knex } from 'knex';

// Machine opens (issue 25): an open SendGrid marks sg_machine_open (Apple Mail's privacy proxy loads every message it
// receives) is counted here, apart from open_count / first_opened_at / last_opened_at, which stay a person's opens.
// Opens stored before this migration carried the field too, but were all counted as a person's: they stay so.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('send_delivery', (t) => {
    t.integer('machine_open_count').notNullable().defaultTo(0);
    t.timestamp('first_machine_open_at', { useTz: true });
    t.timestamp('last_machine_open_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('send_delivery', (t) => {
    t.dropColumn('machine_open_count');
    t.dropColumn('first_machine_open_at');
    t.dropColumn('last_machine_open_at');
  });
}
