import type { Knex } from 'knex';

// A launch id names a launch within its campaign (its workflow id is launch:<campaign>:<launch id>), so a stored id list
// is keyed by (campaign, launch) too: two campaigns launched under the same id keep two lists.
//
// Rows stored before this migration name no campaign, and none can be derived here (the campaign is known only to the
// launch workflow's input in Temporal, and a launch id may have been used by several campaigns). They are kept, as they
// were, in launch_audience_legacy: launches started before this migration (whose input has no `listScope`) go on
// reading their list there, so a launch in flight across the upgrade still enrols its whole list. Nothing new is
// written there; once no launch started before the upgrade is running, a later migration may drop it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.renameTable('launch_audience', 'launch_audience_legacy');
  await knex.raw('alter table launch_audience_legacy rename constraint launch_audience_pkey to launch_audience_legacy_pkey');
  await knex.schema.createTable('launch_audience', (t) => {
    t.text('campaign_id').notNullable();
    t.text('launch_id').notNullable();
    t.text('customer_id').notNullable();
    t.primary(['campaign_id', 'launch_id', 'customer_id']);
  });
}

// Back to one list per launch id: lists stored since are merged into it (as the code before this migration stored them).
export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'insert into launch_audience_legacy (launch_id, customer_id) select launch_id, customer_id from launch_audience on conflict do nothing',
  );
  await knex.schema.dropTable('launch_audience');
  await knex.raw('alter table launch_audience_legacy rename constraint launch_audience_legacy_pkey to launch_audience_pkey');
  await knex.schema.renameTable('launch_audience_legacy', 'launch_audience');
}
