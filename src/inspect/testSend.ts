// `campaign-runner test-send`: one real message through SendGrid to a tester's address, rendered as for a customer (or the
// test customer) by the send's own code, then marked as a test: "[TEST]" before the subject, no BCC copies, custom_args
// that name no send (so SendGrid's events for it match no ledger row and change nothing), and an unsubscribe link that
// changes nothing. Never in the send ledger, the report, a run or the customer's data; recorded in test_sends (no body,
// the recipient's domain only). The rules are shown, not enforced. At most TEST_SENDS_PER_HOUR per campaign.
import type { Db } from '../db/knex';
import { quote } from '../email/quote';
import { readCustomerForSend } from '../db/sendState';
import { finishTestSend, reserveTestSend } from '../db/testSends';
import { asciiEmail } from '../email/address';
import type { Mailer, OutgoingEmail } from '../email/mailer';
import { testSendClaims } from '../email/unsubscribeToken';
import { composeFor, InspectError, loadSendEmailAction, type ComposeFor, type Decision } from './preview';

/** Test sends a campaign may make in an hour: enough to try a message, too few to mail an audience with. */
export const TEST_SENDS_PER_HOUR = 20;
export const TEST_SUBJECT_PREFIX = '[TEST] ';

export interface TestSendRequest extends Omit<ComposeFor, 'unsubscribeClaims'> {
  /** the tester's address (validated by the caller) */
  to: string;
}

export interface TestSendResult {
  testSendId: string;
  messageId: string;
  toDomain: string;
  subject: string;
  decision: Decision;
}

/** The domain of a valid address, in its xn-- form. */
export function domainOf(address: string): string {
  const ascii = asciiEmail(address.trim());
  return ascii.slice(ascii.lastIndexOf('@') + 1).toLowerCase();
}

export async function testSend(db: Db, mailer: Mailer, r: TestSendRequest, perHour = TEST_SENDS_PER_HOUR): Promise<TestSendResult> {
  // The action and the customer first: a wrong --action or --customer is refused before a test send is counted.
  const loaded = await loadSendEmailAction(db, r.campaignId, r.campaignVersion, r.actionId);
  const categoryCode = loaded.action.settings.categoryCode ?? null;
  if (r.customerId !== null && !(await readCustomerForSend(db, r.customerId, undefined))) {
    throw new InspectError('--customer', `no customer ${quote(r.customerId)}`);
  }
  const toDomain = domainOf(r.to);
  const reserved = await reserveTestSend(
    db,
    { campaignId: r.campaignId, campaignVersion: r.campaignVersion, actionId: r.actionId, renderedFor: r.customerId, toDomain },
    perHour,
  );
  if ('refused' in reserved) {
    const { sentInLastHour, nextAt } = reserved.refused;
    throw new InspectError(
      '--campaign',
      `campaign ${quote(r.campaignId)} made ${sentInLastHour} test sends in the last hour, the most it may (${perHour} an hour); the next is possible at ${nextAt.toISOString()}`,
    );
  }
  const id = reserved.id;
  let c: Awaited<ReturnType<typeof composeFor>>;
  try {
    c = await composeFor(db, { ...r, unsubscribeClaims: testSendClaims(id, categoryCode) });
  } catch (err) {
    await finishTestSend(db, id, { error: `not sent: ${err instanceof Error ? err.message : String(err)}` });
    throw err;
  }
  const rendered = c.composed.message;
  const message: OutgoingEmail = {
    ...rendered,
    to: { email: asciiEmail(r.to.trim()) },
    bcc: [],
    subject: `${TEST_SUBJECT_PREFIX}${rendered.subject}`,
    customArgs: { test_send: id, campaign_id: r.campaignId, action_id: r.actionId },
  };
  try {
    const { messageId } = await mailer.send(message);
    await finishTestSend(db, id, { messageId });
    return { testSendId: id, messageId, toDomain, subject: message.subject, decision: c.decision };
  } catch (err) {
    // The mailer's errors name roles, never the addresses.
    const text = err instanceof Error ? err.message : String(err);
    await finishTestSend(db, id, { error: text });
    const maybe = (err as { maybeAccepted?: unknown }).maybeAccepted === true;
    throw new InspectError(null, `test send ${id}: ${maybe ? 'SendGrid may or may not have taken the message' : 'not sent'}: ${text}`);
  }
}
