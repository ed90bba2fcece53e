// The sendEmail activity's first step in one round trip (it runs once per e-mail, on the hot path): claim the right to
// send for this (campaign, customer, action) and read the customer as they are at this moment.
import type { SkipReason } from '../contract';
import type { RuleFacts, RuleInputs } from '../email/ruleInputs';
import type { CustomerForSend, CustomerRow } from './customers';
import type { Db } from './knex';
import { CLAIM_SQL, ledgerValues, toEntry, type LedgerEntry, type LedgerMeta } from './ledger';

export interface ClaimForSend {
  /** the row this attempt now owns ('sending', leased); null when another attempt owns it or it is final */
  claimed: LedgerEntry | null;
  /** null when the customer does not exist */
  found: CustomerForSend | null;
}

// The customer as the rules see them (the claim's read and the preview's read share it).
const CUSTOMER_COLUMNS = `c.external_id, c.email, c.email_quality_code, c.first_name, c.last_name, c.attributes, c.tags,
            c.updated_at as customer_updated_at, coalesce(ch.active, false) as email_channel_active, ch.active as email_channel_row,
            mc.code is not null as category_exists, sub.email_subscribed, mc.default_email_subscribed, mc.asm_group_id`;
const CUSTOMER_JOINS = `left join customers c on c.external_id = :customer_id
       left join channel_subscriptions ch on ch.customer_id = c.external_id and ch.channel = 'email'
       left join mailing_categories mc on mc.code = :category
       left join category_subscriptions sub on sub.customer_id = c.external_id and sub.category_code = :category`;

/**
 * Claims the send (ledger's CLAIM_SQL) and loads the customer. Claiming before deciding eligibility costs nothing: a
 * skipped customer's row goes from 'sending' to 'skipped' with skipClaimed, still in the same attempt.
 */
export async function claimForSend(
  db: Db,
  meta: LedgerMeta,
  leaseMs: number,
  categoryCode: string | undefined,
  o: { resendUnknown?: boolean } = {},
): Promise<ClaimForSend> {
  // Anchored on a one-row select so that a refused claim and a missing customer each leave their columns null.
  const { rows } = await db.raw(
    `with claim as (${CLAIM_SQL})
     select claim.*, ${CUSTOMER_COLUMNS}
       from (select 1) as one
       left join claim on true
       ${CUSTOMER_JOINS}`,
    { ...ledgerValues(meta, o), lease: String(leaseMs), category: categoryCode ?? null },
  );
  const r = rows[0];
  return { claimed: r.id === null ? null : toEntry(r), found: r.external_id === null ? null : customerForSend(r, categoryCode) };
}

/**
 * The customer as the rules would see them now, without claiming anything: what `campaign-runner preview` decides on.
 * Null when the customer does not exist.
 */
export async function readCustomerForSend(db: Db, customerId: string, categoryCode: string | undefined): Promise<CustomerForSend | null> {
  const { rows } = await db.raw(`select ${CUSTOMER_COLUMNS} from (select 1) as one ${CUSTOMER_JOINS}`, {
    customer_id: customerId,
    category: categoryCode ?? null,
  });
  return rows[0].external_id === null ? null : customerForSend(rows[0], categoryCode);
}

/**
 * Records the skip on a row this attempt claimed (and still owns: a takeover bumps attempts), with what the rules saw
 * (`inputs`, email/ruleInputs.ts).
 */
export async function skipClaimed(db: Db, claimed: LedgerEntry, reasons: SkipReason[], inputs?: RuleInputs): Promise<boolean> {
  const n = await db('send_ledger')
    .where({ id: claimed.id, status: 'sending', attempts: claimed.attempts })
    .update({
      status: 'skipped',
      skip_reasons: JSON.stringify(reasons),
      ...(inputs ? { decision_inputs: JSON.stringify(inputs) } : {}),
      lease_until: null,
      in_flight: false,
      updated_at: db.fn.now(),
    });
  return n > 0;
}

function customerForSend(r: any, categoryCode: string | undefined): CustomerForSend {
  // No channel row means no recorded consent: not subscribed. A category deleted after validation leaves nobody
  // subscribed to it; a customer without their own row gets the category's default.
  const categorySubscribed: boolean | null =
    categoryCode === undefined ? null : r.category_exists ? (r.email_subscribed ?? r.default_email_subscribed) : false;
  const customer: CustomerRow = {
    external_id: r.external_id,
    email: r.email,
    email_quality_code: r.email_quality_code,
    first_name: r.first_name,
    last_name: r.last_name,
    attributes: r.attributes,
    tags: r.tags,
  };
  const facts: RuleFacts = {
    emailChannel: r.email_channel_row ?? null,
    email: r.email,
    emailQualityCode: r.email_quality_code,
    category:
      categoryCode === undefined
        ? null
        : {
            code: categoryCode,
            source: !r.category_exists ? 'missing' : r.email_subscribed != null ? 'customer' : 'default',
            subscribed: categorySubscribed === true,
          },
    customerUpdatedAt: r.customer_updated_at ?? null,
  };
  return { customer, emailChannelActive: r.email_channel_active === true, categorySubscribed, asmGroupId: r.asm_group_id ?? null, facts };
}
