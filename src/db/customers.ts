import type { RuleFacts } from '../email/ruleInputs';
import type { Db } from './knex';

export interface CustomerRow {
  external_id: string;
  email: string | null;
  email_quality_code: number;
  first_name: string | null;
  last_name: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
}

/** A customer as the sendEmail activity sees them at the moment of sending. */
export interface CustomerForSend {
  customer: CustomerRow;
  emailChannelActive: boolean;
  /** null when no category was asked for */
  categorySubscribed: boolean | null;
  /** the SendGrid suppression group of the action's category, if it names one (sends then carry asm.group_id) */
  asmGroupId?: number | null;
  /** everything the rules read, as the record of a decision needs it (email/ruleInputs.ts) */
  facts: RuleFacts;
}

/**
 * Adds a tag once; re-running is a no-op, so the activity is safe to retry. Returns false if the customer is gone. A tag
 * the customer did not have is recorded with its time in customer_tags_added (first time only), which the campaign
 * goal reads; the customer's row is locked meanwhile, so a concurrent import or Set tag sees one or the other.
 */
export async function addTag(db: Db, externalId: string, tag: string): Promise<boolean> {
  const { rows } = await db.raw(
    `with c as (select external_id, ? = any(tags) as had from customers where external_id = ? for update),
          u as (update customers set tags = array_append(tags, ?), updated_at = now()
                 where external_id in (select external_id from c where not had) returning external_id),
          i as (insert into customer_tags_added (customer_id, tag) select external_id, ? from u on conflict do nothing)
     select count(*)::int as found from c`,
    [tag, externalId, tag, tag],
  );
  return rows[0].found > 0;
}

export async function listCustomerIds(db: Db): Promise<string[]> {
  const rows = await db('customers').select('external_id').orderBy('external_id');
  return rows.map((r) => r.external_id as string);
}
