// What the Send e-mail rules saw when they decided, kept in the send ledger (send_ledger.decision_inputs) so that
// `campaign-runner why` can say why a customer was sent to or skipped, and shown by `campaign-runner preview` for a
// decision taken now. Pure, and without personal data: whether an address is there and which check it fails, never the
// address; the customer's id is the ledger row's own.
import type { SkipReason } from '../contract';
import { addressProblem } from './address';
import { HARD_QUALITY_CODE, skipReasons } from './eligibility';

/** What the rules read for one customer and one action, as the database gave it. */
export interface RuleFacts {
  /** the customer's e-mail channel row: active or not; null when they have none (no recorded consent: not subscribed) */
  emailChannel: boolean | null;
  email: string | null;
  emailQualityCode: number;
  /** the action's mailing category, or null when it names none */
  category: {
    code: string;
    /** `customer`: the customer's own choice; `default`: the category's default (no choice of theirs); `missing`: the
     * category no longer exists (nobody is subscribed to it) */
    source: 'customer' | 'default' | 'missing';
    subscribed: boolean;
  } | null;
  /** the customer row's last update */
  customerUpdatedAt: Date | null;
}

export type AddressCheck = 'syntax' | 'domain' | 'quality_code';

/** The record of one decision (version 1). */
export interface RuleInputs {
  v: 1;
  /** false: no customer with this id existed when the rules looked */
  customerFound: boolean;
  customerUpdatedAt?: string;
  emailChannel?: 'active' | 'inactive' | 'no_row';
  address?: {
    present: boolean;
    valid: boolean;
    /** the checks the address fails, in this order; empty when it is valid or absent */
    failed: AddressCheck[];
    qualityCode: number;
  };
  category: { code: string; subscribed: boolean; source: 'customer' | 'default' | 'missing' } | null;
  outcome: 'send' | 'skip';
  reasons: SkipReason[];
}

/** The decision and its record. `facts` null: the customer does not exist. */
export function decideRules(facts: RuleFacts | null, categoryCode: string | null): { reasons: SkipReason[]; inputs: RuleInputs } {
  if (!facts) {
    const reasons: SkipReason[] = ['customer_not_found'];
    return {
      reasons,
      inputs: {
        v: 1,
        customerFound: false,
        category: categoryCode ? { code: categoryCode, subscribed: false, source: 'missing' } : null,
        outcome: 'skip',
        reasons,
      },
    };
  }
  const reasons = skipReasons({
    emailChannelActive: facts.emailChannel === true,
    email: facts.email,
    emailQualityCode: facts.emailQualityCode,
    categorySubscribed: facts.category ? facts.category.subscribed : null,
  });
  const present = facts.email !== null && facts.email.trim() !== '';
  const failed: AddressCheck[] = [];
  const form = present ? addressProblem(facts.email!.trim()) : null;
  if (form) failed.push(form);
  if (facts.emailQualityCode >= HARD_QUALITY_CODE) failed.push('quality_code');
  const inputs: RuleInputs = {
    v: 1,
    customerFound: true,
    ...(facts.customerUpdatedAt ? { customerUpdatedAt: facts.customerUpdatedAt.toISOString() } : {}),
    emailChannel: facts.emailChannel === null ? 'no_row' : facts.emailChannel ? 'active' : 'inactive',
    address: { present, valid: present && failed.length === 0, failed, qualityCode: facts.emailQualityCode },
    category: facts.category ? { ...facts.category } : null,
    outcome: reasons.length ? 'skip' : 'send',
    reasons,
  };
  return { reasons, inputs };
}

/** SmartCom's contact-quality codes (shared/notes/domain-smartcom.md §1.4). */
export const QUALITY_CODE_MEANINGS: Readonly<Record<number, string>> = {
  0: 'no errors',
  1: 'temporarily unavailable',
  2: 'DNS error',
  3: 'mailbox full',
  4: 'message length exceeded',
  5: 'timeout',
  6: 'answering machine on',
  30: 'no address specified',
  31: 'format error',
  32: 'address does not exist',
  33: 'cannot be delivered',
  34: 'delivery attempts exhausted',
  35: 'blocked by MTA',
  36: 'spam complaint',
  37: 'blocked by recipient',
  38: 'recipient does not accept attachments',
  39: 'non-existent domain',
  50: 'contact in blacklist',
};

function qualityCode(code: number): string {
  const meaning = QUALITY_CODE_MEANINGS[code];
  const kind = code >= HARD_QUALITY_CODE ? 'hard' : code > 0 ? 'soft' : '';
  return `quality code ${code}${meaning || kind ? ` (${[meaning, kind].filter(Boolean).join(', ')})` : ''}`;
}

const CHECK_WORDS: Record<AddressCheck, string> = {
  syntax: 'syntax',
  domain: 'domain form',
  quality_code: 'quality code',
};

/** The inputs in words, one line each, for the terminal. */
export function describeRuleInputs(i: RuleInputs): string[] {
  if (!i.customerFound) return ['customer: not found'];
  const lines: string[] = [];
  lines.push(
    `e-mail channel: ${i.emailChannel === 'no_row' ? 'no subscription recorded (not subscribed)' : (i.emailChannel ?? 'not recorded')}`,
  );
  if (i.address) {
    const a = i.address;
    const validity = !a.present
      ? 'missing'
      : a.valid
        ? 'present, valid'
        : `present, invalid (fails: ${a.failed.map((f) => CHECK_WORDS[f]).join(', ')})`;
    lines.push(`address: ${validity}; ${qualityCode(a.qualityCode)}`);
  }
  if (i.category) {
    const how = { customer: "the customer's choice", default: "the category's default", missing: 'the category no longer exists' }[
      i.category.source
    ];
    lines.push(`category ${i.category.code}: ${i.category.subscribed ? 'subscribed' : 'not subscribed'} (${how})`);
  } else {
    lines.push('category: none (the action names no mailing category)');
  }
  if (i.customerUpdatedAt) lines.push(`customer row updated: ${i.customerUpdatedAt}`);
  return lines;
}
