import type { Audience } from '../contract';
import type { Db } from './knex';

/** Whose list: a launch id names a launch within its campaign. */
export interface LaunchListKey {
  campaignId: string;
  launchId: string;
  /**
   * A launch started before lists were keyed by campaign: its list is in launch_audience_legacy under the launch id
   * alone (migration 20261127_003).
   */
  legacy?: boolean;
}

function listRows(db: Db, key: LaunchListKey) {
  return key.legacy
    ? db('launch_audience_legacy').where('launch_id', key.launchId)
    : db('launch_audience').where({ campaign_id: key.campaignId, launch_id: key.launchId });
}

/** The next page of an audience's customer ids, in id order, after `after`. Keyset paging: stable and index-backed. */
export async function audiencePage(db: Db, key: LaunchListKey, audience: Audience, after: string | null, limit: number): Promise<string[]> {
  let q;
  if (audience.kind === 'list') {
    q = listRows(db, key).select('customer_id as id').orderBy('customer_id');
    if (after !== null) q = q.andWhere('customer_id', '>', after);
  } else {
    q = db('customers').select('external_id as id').orderBy('external_id');
    if (audience.kind === 'tag') q = q.whereRaw('tags @> array[?]::text[]', [audience.tag]);
    if (after !== null) q = q.andWhere('external_id', '>', after);
  }
  const rows = await q.limit(limit);
  return rows.map((r: { id: string }) => r.id);
}

/**
 * Stores a launch's id list in one transaction, unless that launch already has one: then it stores nothing and returns
 * false. A list is never added to, so a launch reads exactly the list it was started with. Two attempts at once
 * serialize on a transaction lock on the key: the second sees the first's list. Ids must be known customers.
 */
export async function storeLaunchList(db: Db, key: Omit<LaunchListKey, 'legacy'>, ids: string[]): Promise<boolean> {
  return db.transaction(async (trx) => {
    // The key's hash: two different keys that collide only wait for each other, never mix.
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`launch_audience\n${key.campaignId}\n${key.launchId}`]);
    if (await listRows(trx, key).first(trx.raw('1 as found'))) return false;
    for (let i = 0; i < ids.length; i += 1000) {
      await trx('launch_audience')
        .insert(ids.slice(i, i + 1000).map((customer_id) => ({ campaign_id: key.campaignId, launch_id: key.launchId, customer_id })))
        .onConflict(['campaign_id', 'launch_id', 'customer_id'])
        .ignore();
    }
    return true;
  });
}

/** Removes a list stored for a launch that then could not be started (its id was taken in Temporal). */
export async function deleteLaunchList(db: Db, key: Omit<LaunchListKey, 'legacy'>): Promise<void> {
  await listRows(db, key).del();
}

export async function audienceSize(db: Db, key: LaunchListKey, audience: Audience): Promise<number> {
  let q;
  if (audience.kind === 'list') q = listRows(db, key);
  else {
    q = db('customers');
    if (audience.kind === 'tag') q = q.whereRaw('tags @> array[?]::text[]', [audience.tag]);
  }
  const [{ n }] = await q.count({ n: '*' });
  return Number(n);
}

export async function unknownCustomerIds(db: Db, ids: string[]): Promise<string[]> {
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db('customers')
      .whereIn('external_id', ids.slice(i, i + 1000))
      .select('external_id');
    rows.forEach((r) => known.add(r.external_id));
  }
  return ids.filter((id) => !known.has(id));
}

/** Records a launch before its workflow starts (idempotent): stop finds it even while visibility does not list it. */
export async function recordLaunch(db: Db, key: Omit<LaunchListKey, 'legacy'>): Promise<void> {
  await db('launches').insert({ campaign_id: key.campaignId, launch_id: key.launchId }).onConflict(['campaign_id', 'launch_id']).ignore();
}

/** The launches recorded for a campaign. */
export async function recordedLaunches(db: Db, campaignId: string): Promise<string[]> {
  const rows = await db('launches').where({ campaign_id: campaignId }).orderBy('launch_id').select('launch_id');
  return rows.map((r: { launch_id: string }) => r.launch_id);
}
