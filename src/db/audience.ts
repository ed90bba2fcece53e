import type { Audience } from '../contract';
import type { Db } from './knex';

/** The next page of an audience's customer ids, in id order, after `after`. Keyset paging: stable and index-backed. */
export async function audiencePage(db: Db, launchId: string, audience: Audience, after: string | null, limit: number): Promise<string[]> {
  let q;
  if (audience.kind === 'list') {
    q = db('launch_audience').where('launch_id', launchId).select('customer_id as id').orderBy('customer_id');
    if (after !== null) q = q.andWhere('customer_id', '>', after);
  } else {
    q = db('customers').select('external_id as id').orderBy('external_id');
    if (audience.kind === 'tag') q = q.whereRaw('tags @> array[?]::text[]', [audience.tag]);
    if (after !== null) q = q.andWhere('external_id', '>', after);
  }
  const rows = await q.limit(limit);
  return rows.map((r: { id: string }) => r.id);
}

/** Stores a launch's id list in one transaction; ids must be known customers. Returns the number stored. */
export async function storeLaunchList(db: Db, launchId: string, ids: string[]): Promise<number> {
  return db.transaction(async (trx) => {
    for (let i = 0; i < ids.length; i += 1000) {
      await trx('launch_audience')
        .insert(ids.slice(i, i + 1000).map((customer_id) => ({ launch_id: launchId, customer_id })))
        .onConflict(['launch_id', 'customer_id'])
        .ignore();
    }
    return ids.length;
  });
}

export async function audienceSize(db: Db, launchId: string, audience: Audience): Promise<number> {
  let q;
  if (audience.kind === 'list') q = db('launch_audience').where('launch_id', launchId);
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
