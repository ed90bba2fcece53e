import type { Knex } from 'knex';

// What the send ledger needs to keep its promise under faults (README "How a run works"):
// - in_flight: an attempt claimed the row to send and has not learnt that SendGrid certainly did not take the message;
//   whoever takes the row over next cannot rule out that the message went out.
// - possible_duplicate: a send that may repeat an earlier one (the campaign chose `resend` for unknown deliveries).
// - failure_reason: why a row ended failed or cancelled (rejected, delivery_unknown, lifetime_expired, template,
//   cancelled_in_flight), for the report and for operators.
// - workflow_run_id: the run that made the row; a reset (a new run of the same workflow) may claim a row that was never
//   accepted again.
// - decided_at: when eligibility was last decided from the customer's data (the claim), for audits.
// - cancelled: a claimed send that a cancellation stopped before it went out.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('send_ledger', (t) => {
    t.boolean('in_flight').notNullable().defaultTo(false);
    t.boolean('possible_duplicate').notNullable().defaultTo(false);
    t.text('failure_reason');
    t.text('workflow_run_id');
    t.timestamp('decided_at', { useTz: true });
  });
  await knex.raw('alter table send_ledger drop constraint send_ledger_status');
  await knex.raw(
    "alter table send_ledger add constraint send_ledger_status check (status in ('sending','sent','skipped','failed','cancelled'))",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("update send_ledger set status = 'failed' where status = 'cancelled'");
  await knex.raw('alter table send_ledger drop constraint send_ledger_status');
  await knex.raw("alter table send_ledger add constraint send_ledger_status check (status in ('sending','sent','skipped','failed'))");
  await knex.schema.alterTable('send_ledger', (t) => {
    t.dropColumn('in_flight');
    t.dropColumn('possible_duplicate');
    t.dropColumn('failure_reason');
    t.dropColumn('workflow_run_id');
    t.dropColumn('decided_at');
  });
}
