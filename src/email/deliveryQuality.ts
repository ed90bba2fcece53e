// SmartCom's e-mail quality codes (shared/notes/domain-smartcom.md §1.4) from what SendGrid's event webhook says about a
// delivery. Pure: the service applies the result to the customer (db/deliveryEvents.ts).
//
// Codes 1-29 are soft (the address stays sendable; SOFT_LIMIT of them within SOFT_WINDOW_DAYS make it 34), 30 and above
// are hard (the customer is skipped as email_invalid from then on).

export const QUALITY = {
  ok: 0,
  temporarilyUnavailable: 1,
  dnsError: 2,
  mailboxFull: 3,
  messageTooLarge: 4,
  timeout: 5,
  formatError: 31,
  addressDoesNotExist: 32,
  cannotBeDelivered: 33,
  attemptsExhausted: 34,
  blockedByMta: 35,
  spamComplaint: 36,
  blockedByRecipient: 37,
  noAttachments: 38,
  nonExistentDomain: 39,
} as const;

/** 7 soft failures within 30 days make the address undeliverable (34). */
export const SOFT_LIMIT = 7;
export const SOFT_WINDOW_DAYS = 30;

export const isHardCode = (code: number): boolean => code >= 30;

export interface QualityVerdict {
  kind: 'hard' | 'soft';
  code: number;
}

interface Rule {
  code: number;
  /** an enhanced SMTP status (RFC 3463) prefix, after its class digit: "1.1" matches 5.1.1 and 4.1.1 */
  status?: RegExp;
  reason?: RegExp;
}

// First match wins; each rule looks at the enhanced status code and at the reason text (servers word them freely).
const HARD_RULES: Rule[] = [
  {
    code: QUALITY.nonExistentDomain,
    status: /^1\.2$|^4\.4$/,
    reason:
      /domain (not found|does not exist|name not found)|host (not found|unknown)|no mx|nxdomain|name or service not known|unrouteable/i,
  },
  { code: QUALITY.formatError, status: /^1\.3$/, reason: /bad (destination )?(mailbox )?address syntax|invalid address format/i },
  {
    code: QUALITY.addressDoesNotExist,
    status: /^1\.[01]$|^1\.6$/,
    reason:
      /user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn't exist|mailbox (not found|unavailable)|invalid (recipient|mailbox)|recipient (address )?rejected|address rejected/i,
  },
  { code: QUALITY.mailboxFull, status: /^2\.2$/, reason: /mailbox (is )?full|over ?quota|quota exceeded|insufficient storage/i },
  { code: QUALITY.messageTooLarge, status: /^3\.4$|^2\.3$/, reason: /message (size|too (big|large))|too large/i },
  { code: QUALITY.noAttachments, reason: /attachment/i },
  {
    code: QUALITY.blockedByRecipient,
    reason: /blocked by (the )?recipient|recipient (has )?blocked|sender (is )?blocked|on (the )?recipient'?s? block ?list/i,
  },
  { code: QUALITY.blockedByMta, status: /^7\.\d+$/, reason: /blocked|block ?list|blacklist|spam|policy|reputation|denied|refused/i },
];

const SOFT_RULES: Rule[] = [
  { code: QUALITY.mailboxFull, status: /^2\.2$/, reason: /mailbox (is )?full|over ?quota|quota exceeded|insufficient storage/i },
  { code: QUALITY.messageTooLarge, status: /^3\.4$|^2\.3$/, reason: /message (size|too (big|large))|too large/i },
  { code: QUALITY.dnsError, status: /^4\.[34]$/, reason: /dns|name resolution|no mx|lookup/i },
  { code: QUALITY.timeout, status: /^4\.[27]$/, reason: /time(d)? ?out/i },
];

/** The status's detail after the class digit ("5.1.1" → "1.1"), or null when there is none. */
function statusDetail(status: string | undefined): string | null {
  const m = /^\s*[245]\.(\d{1,3}\.\d{1,3})/.exec(status ?? '');
  return m ? m[1] : null;
}

function statusClass(status: string | undefined): '4' | '5' | null {
  const m = /^\s*([45])\./.exec(status ?? '');
  return m ? (m[1] as '4' | '5') : null;
}

function firstMatch(rules: Rule[], status: string | undefined, reason: string | undefined): number | undefined {
  const detail = statusDetail(status);
  // The status is the more precise of the two, so a rule with a status pattern is first judged by the status alone (a
  // rule without one, by its reason); the reasons decide when the status is generic (5.0.0) or absent.
  for (const r of rules) if (r.status ? detail !== null && r.status.test(detail) : !!reason && r.reason?.test(reason)) return r.code;
  for (const r of rules) if (reason && r.reason?.test(reason)) return r.code;
  return undefined;
}

/**
 * A `bounce` event. SendGrid's `type` says which: `bounce` is permanent (hard) unless its SMTP status is a 4.x.x, and
 * `blocked` is a temporary refusal (soft). A hard bounce whose cause is temporary by SmartCom's codes (mailbox full,
 * message too large) gets that soft code: the address itself is fine.
 */
export function qualityForBounce(ev: { type?: string; status?: string; reason?: string }): QualityVerdict {
  const soft = ev.type === 'blocked' || statusClass(ev.status) === '4';
  if (soft) return { kind: 'soft', code: firstMatch(SOFT_RULES, ev.status, ev.reason) ?? QUALITY.temporarilyUnavailable };
  const code = firstMatch(HARD_RULES, ev.status, ev.reason) ?? QUALITY.cannotBeDelivered;
  return { kind: isHardCode(code) ? 'hard' : 'soft', code };
}

/** A `deferred` event: the receiving server asked SendGrid to try again later. */
export function qualityForDeferred(ev: { response?: string; reason?: string }): QualityVerdict {
  const text = ev.response ?? ev.reason;
  const status = /\b([45]\.\d{1,3}\.\d{1,3})\b/.exec(text ?? '')?.[1];
  return { kind: 'soft', code: firstMatch(SOFT_RULES, status, text) ?? QUALITY.temporarilyUnavailable };
}

/** What a `dropped` event says about the address (SendGrid's suppression lists), or null when it says nothing about it. */
export function qualityForDropped(reason: string | undefined): (QualityVerdict & { unsubscribe?: 'channel' | 'group' }) | null {
  const r = (reason ?? '').toLowerCase();
  if (r.startsWith('invalid smtpapi')) return null; // our request's fault, not the address's
  if (r.startsWith('invalid')) return { kind: 'hard', code: QUALITY.formatError };
  if (r.startsWith('bounced address')) return { kind: 'hard', code: QUALITY.cannotBeDelivered };
  if (r.startsWith('spam reporting address')) return { kind: 'hard', code: QUALITY.spamComplaint, unsubscribe: 'channel' };
  return null; // Unsubscribed Address is handled as a subscription; Spam Content is the message's fault
}
