import type { Knex } from 'knex';

// Customers, their channel and category subscriptions, mailing categories, stored campaign versions and the send ledger.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customers', (t) => {
    t.text('external_id').primary(); // the id marketers and the CLI use; never an address
    t.text('email');
    // SmartCom contact-quality code: 0 fine, 1-29 soft problems (still sendable), >= 30 hard (excluded).
    t.integer('email_quality_code').notNullable().defaultTo(0);
    t.text('first_name');
    t.text('last_name');
    t.jsonb('attributes').notNullable().defaultTo('{}');
    t.specificType('tags', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('alter table customers add constraint customers_quality_code_range check (email_quality_code between 0 and 99)');

  // The channel layer of SmartCom's subscription model (one row per customer and channel).
  await knex.schema.createTable('channel_subscriptions', (t) => {
    t.text('customer_id').notNullable().references('customers.external_id').onDelete('CASCADE');
    t.text('channel').notNullable();
    t.boolean('active').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['customer_id', 'channel']);
  });
  await knex.raw(
    "alter table channel_subscriptions add constraint channel_subscriptions_channel check (channel in ('email','sms','push'))",
  );

  await knex.schema.createTable('mailing_categories', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.boolean('visible').notNullable().defaultTo(true); // hidden categories cannot be unsubscribed from
    t.boolean('default_email_subscribed').notNullable().defaultTo(true); // applies to customers without their own row
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('category_subscriptions', (t) => {
    t.text('customer_id').notNullable().references('customers.external_id').onDelete('CASCADE');
    t.text('category_code').notNullable().references('mailing_categories.code').onDelete('CASCADE');
    t.boolean('email_subscribed').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['customer_id', 'category_code']);
  });

  // Campaign documents are immutable once stored: a run names (campaign, version) and always sees the same settings.
  await knex.schema.createTable('campaigns', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.integer('latest_version').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('campaign_versions', (t) => {
    t.text('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.jsonb('document').notNullable();
    t.text('checksum').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['campaign_id', 'version']);
  });

  // One row per (run, action): the unique key is what makes a retried sendEmail activity unable to send twice.
  await knex.schema.createTable('send_ledger', (t) => {
    t.bigIncrements('id');
    t.text('run_key').notNullable(); // the business-key workflow id
    t.text('action_id').notNullable();
    t.text('campaign_id').notNullable();
    t.integer('campaign_version').notNullable();
    t.text('customer_id').notNullable();
    t.text('status').notNullable(); // sending | sent | skipped | failed
    t.text('provider_message_id');
    t.jsonb('skip_reasons');
    t.text('error');
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('bcc_count').notNullable().defaultTo(0);
    t.timestamp('lease_until', { useTz: true }); // while 'sending': an attempt owns the send until then
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['run_key', 'action_id']);
    t.index(['campaign_id', 'action_id', 'status']);
  });
  await knex.raw("alter table send_ledger add constraint send_ledger_status check (status in ('sending','sent','skipped','failed'))");
}

export async function down(knex: Knex): Promise<void> {
  for (const t of [
    'send_ledger',
    'campaign_versions',
    'campaigns',
    'category_subscriptions',
    'mailing_categories',
    'channel_subscriptions',
    'customers',
  ]) {
    await knex.schema.dropTableIfExists(t);
  }
}
