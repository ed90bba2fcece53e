// Migration 003 keys launch lists by campaign. Lists stored before it name no campaign and none can be derived, so they
// are kept in launch_audience_legacy, where launches started before the upgrade go on reading them; down() merges the
// lists back into one list per launch id. Run on a database of its own, migrated step by step.
import assert from 'node:assert/strict';
import { Client as PgClient } from 'pg';
import { audiencePage, storeLaunchList } from '../../src/db/audience';
import { createDb, migrationConfig, recreateDatabase, type Db } from '../../src/db/knex';
import { testEnv } from '../support/env';

describe('migration 003: launch lists keyed by campaign', function () {
  let url: URL;
  let db: Db;
  before(async () => {
    url = new URL(testEnv().databaseUrl);
    url.pathname += '_migration';
    await recreateDatabase(url.toString());
    db = createDb(url.toString(), { max: 2 });
  });
  after(async () => {
    await db?.destroy();
    const admin = new PgClient({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
    await admin.connect();
    await admin.query(`drop database if exists "${url.pathname.slice(1)}" with (force)`);
    await admin.end();
  });

  const listAudience = { kind: 'list' } as const;

  it('keeps the lists stored before it for the launches started before it, and down() merges them back', async () => {
    await db.migrate.up(migrationConfig);
    await db.migrate.up(migrationConfig);
    assert.deepEqual(await db.migrate.list(migrationConfig).then(([done]) => done.map((m: { name: string }) => m.name)), [
      '20261127_001_initial.js',
      '20261127_002_launch_audiences.js',
    ]);
    await db('launch_audience').insert([
      { launch_id: 'spring', customer_id: 'c1' },
      { launch_id: 'spring', customer_id: 'c2' },
      { launch_id: 'autumn', customer_id: 'c3' },
    ]);

    await db.migrate.up(migrationConfig);
    assert.equal((await db('launch_audience_legacy').count({ n: '*' }))[0].n, '3');
    assert.equal((await db('launch_audience').count({ n: '*' }))[0].n, '0');
    const spring = { campaignId: 'welcome', launchId: 'spring' };
    assert.deepEqual(await audiencePage(db, { ...spring, legacy: true }, listAudience, null, 10), ['c1', 'c2']);
    assert.deepEqual(await audiencePage(db, spring, listAudience, null, 10), []);
    assert.equal(await storeLaunchList(db, spring, ['c9']), true);
    assert.equal(await storeLaunchList(db, { campaignId: 'winback', launchId: 'spring' }, ['c8']), true);
    assert.deepEqual(await audiencePage(db, spring, listAudience, null, 10), ['c9']);
    assert.deepEqual(await audiencePage(db, { ...spring, legacy: true }, listAudience, null, 10), ['c1', 'c2']);

    await db.migrate.down(migrationConfig);
    assert.equal(await db.schema.hasTable('launch_audience_legacy'), false);
    const merged = await db('launch_audience').orderBy(['launch_id', 'customer_id']).select('launch_id', 'customer_id');
    assert.deepEqual(
      merged.map((r) => `${r.launch_id}/${r.customer_id}`),
      ['autumn/c3', 'spring/c1', 'spring/c2', 'spring/c8', 'spring/c9'],
    );
    await db.migrate.latest(migrationConfig);
    assert.equal((await db('launch_audience_legacy').count({ n: '*' }))[0].n, '5');
  });
});
