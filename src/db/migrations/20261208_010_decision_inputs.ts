import type { Knex } from 'knex';

// What the Send e-mail rules saw when they decided (email/ruleInputs.ts, version 1): the e-mail channel's status,
// whether the address is present and valid and which check it fails, its quality code, the category and its status,
// when the customer row was last updated, and the outcome. No personal data: never the address, never a name.
// `campaign-runner why` prints it; rows decided before this column existed keep null and show what they have.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('send_ledger', (t) => {
    t.jsonb('decision_inputs');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('send_ledger', (t) => {
    t.dropColumn('decision_inputs');
  });
}
