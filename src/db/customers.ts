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

/** Adds a tag once; re-running is a no-op, so the activity is safe to retry. Returns false if the customer is gone. */
export async function addTag(db: Db, externalId: string, tag: string): Promise<boolean> {
  const updated = await db('customers')
    .where({ external_id: externalId })
    .update({
      tags: db.raw('case when ? = any(tags) then tags else array_append(tags, ?) end', [tag, tag]),
      updated_at: db.fn.now(),
    });
  return updated > 0;
}

export async function listCustomerIds(db: Db): Promise<string[]> {
  const rows = await db('customers').select('external_id').orderBy('external_id');
  return rows.map((r) => r.external_id as string);
}
