// `campaign-runner preview`: what a Send e-mail action would send to one customer now, composed by the very code the
// sendEmail activity sends with (composeEmail, decideRules, the customer read of its claim, the mailer's request body).
// It sends nothing and writes nothing.
import { campaignRunWorkflowId } from '../contract';
import { composeEmail, type ComposedEmail } from '../actions/sendEmail/activityCompose';
import { CampaignCache, type LoadedAction } from '../activities/campaignCache';
import type { CustomerForSend } from '../db/customers';
import type { Db } from '../db/knex';
import { readCustomerForSend } from '../db/sendState';
import { sendGridRequestBody } from '../email/mailer';
import { decideRules, type RuleInputs } from '../email/ruleInputs';
import { testSendClaims, type UnsubscribeClaims, type UnsubscribeLinkConfig } from '../email/unsubscribeToken';
import type { SkipReason } from '../contract';
import { quote } from '../email/quote';

/**
 * SmartCom's test customer (test@test.com): `--test-customer` renders for this profile. It is built in, never read from
 * the database, and every rule passes for it.
 */
export const TEST_CUSTOMER: CustomerForSend['customer'] = {
  external_id: 'test-customer',
  email: 'test@test.com',
  email_quality_code: 0,
  first_name: 'Test',
  last_name: 'Customer',
  attributes: {},
  tags: [],
};

export class InspectError extends Error {
  constructor(
    /** the CLI option the problem is about, if one */
    readonly option: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'InspectError';
  }
}

export interface ComposeFor {
  campaignId: string;
  campaignVersion: number;
  actionId: string;
  /** a customer id; null: the built-in test customer */
  customerId: string | null;
  /** the time templates render at */
  now: Date;
  unsubscribe: UnsubscribeLinkConfig;
  /** the link's claims instead of the send's own (test sends) */
  unsubscribeClaims?: UnsubscribeClaims;
}

export interface Decision {
  outcome: 'send' | 'skip';
  reasons: SkipReason[];
  inputs: RuleInputs;
  /** the built-in test customer: the rules pass by construction */
  testCustomer: boolean;
}

export interface Composed {
  loaded: LoadedAction<'sendEmail'>;
  found: CustomerForSend;
  decision: Decision;
  composed: ComposedEmail;
}

/** The stored Send e-mail action, or an InspectError naming --action. */
export async function loadSendEmailAction(
  db: Db,
  campaignId: string,
  version: number,
  actionId: string,
): Promise<LoadedAction<'sendEmail'>> {
  const cache = new CampaignCache(db, 1);
  const loaded = await cache.action(campaignId, version, actionId, 'sendEmail');
  if (loaded) return loaded;
  const campaign = await cache.campaign(campaignId, version);
  let type: string | undefined;
  const find = (list: NonNullable<typeof campaign>['actions']): void =>
    list.forEach((a) => {
      if (a.id === actionId) type = a.type;
      find(a.children);
    });
  if (campaign) find(campaign.actions);
  throw new InspectError(
    '--action',
    type
      ? `action ${quote(actionId)} of campaign ${quote(campaignId)} version ${version} is a ${type} action, not a Send e-mail`
      : `campaign ${quote(campaignId)} version ${version} has no action ${quote(actionId)}`,
  );
}

function testCustomerFound(categoryCode: string | undefined): CustomerForSend {
  return {
    customer: TEST_CUSTOMER,
    emailChannelActive: true,
    categorySubscribed: categoryCode === undefined ? null : true,
    asmGroupId: null,
    facts: {
      emailChannel: true,
      email: TEST_CUSTOMER.email,
      emailQualityCode: 0,
      category: categoryCode === undefined ? null : { code: categoryCode, source: 'customer', subscribed: true },
      customerUpdatedAt: null,
    },
  };
}

/**
 * The action's message for the customer (or the test customer), composed as the send composes it, and the decision the
 * rules would take now. A template that cannot render throws the renderer's TemplateRenderError.
 */
export async function composeFor(db: Db, f: ComposeFor): Promise<Composed> {
  const loaded = await loadSendEmailAction(db, f.campaignId, f.campaignVersion, f.actionId);
  const categoryCode = loaded.action.settings.categoryCode;
  let found: CustomerForSend;
  if (f.customerId === null) {
    found = testCustomerFound(categoryCode);
    // The test customer's group is the category's, as a real customer's would be.
    const group = categoryCode ? await db('mailing_categories').where({ code: categoryCode }).first('asm_group_id') : undefined;
    found.asmGroupId = group?.asm_group_id ?? null;
  } else {
    const read = await readCustomerForSend(db, f.customerId, categoryCode);
    if (!read) throw new InspectError('--customer', `no customer ${quote(f.customerId)}`);
    found = read;
  }
  const { reasons, inputs } = decideRules(found.facts, categoryCode ?? null);
  const customerId = found.customer.external_id;
  const composed = await composeEmail({
    found,
    loaded,
    runKey: campaignRunWorkflowId(f.campaignId, customerId),
    campaignId: f.campaignId,
    actionId: f.actionId,
    unsubscribe: f.unsubscribe,
    // The test customer never gets a real link: previewed, it is a test link too (it changes nothing).
    unsubscribeClaims: f.unsubscribeClaims ?? (f.customerId === null ? testSendClaims('preview', categoryCode ?? null) : undefined),
    now: f.now,
  });
  return {
    loaded,
    found,
    decision: { outcome: inputs.outcome, reasons, inputs, testCustomer: f.customerId === null },
    composed,
  };
}

export interface Preview {
  campaign: { id: string; version: number; name: string };
  actionId: string;
  /** a customer id, or null for the built-in test customer */
  customerId: string | null;
  renderedAt: string;
  decision: Decision;
  message: ComposedEmail['message'];
  unsubscribeUrl: string | null;
  /** the JSON body the send would post to SendGrid; null when the customer has no address (nothing would go out) */
  sendgridRequest: Record<string, unknown> | null;
}

export async function preview(db: Db, f: ComposeFor): Promise<Preview> {
  const c = await composeFor(db, f);
  const hasAddress = c.decision.inputs.address?.present === true;
  return {
    campaign: { id: c.loaded.campaign.id, version: f.campaignVersion, name: c.loaded.campaign.name },
    actionId: f.actionId,
    customerId: f.customerId,
    renderedAt: f.now.toISOString(),
    decision: c.decision,
    message: c.composed.message,
    unsubscribeUrl: c.composed.unsubscribeUrl ?? null,
    sendgridRequest: hasAddress ? sendGridRequestBody(c.composed.message) : null,
  };
}
