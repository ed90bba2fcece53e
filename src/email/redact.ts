// SendGrid's answers quote addresses (the duplicate-recipient 400 names the address it found twice). Their texts become
// failure messages, the run result and log lines, which must hold no customer data: each address of the message is
// replaced by its role, and anything else that looks like an address by a placeholder.

/** The message's addresses by role. The sender and reply-to are the company's, but are named by role all the same. */
export interface AddressRoles {
  to: string;
  bcc?: string[];
  from?: string;
  replyTo?: string;
}

/** What stands in for an address that is none of the message's (SendGrid should never quote one; be safe anyway). */
export const UNKNOWN_ADDRESS = '<address>';

// Loose on purpose: it should catch more than a valid address, never less. Unicode letters, since SendGrid may quote
// an internationalised address.
const ADDRESS_LIKE = /[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds the redaction for one message's addresses; the returned function redacts a text. */
export function addressRedactor(roles: AddressRoles): (text: string) => string {
  // An address with several roles keeps the first: to, bcc, from, reply_to.
  const byAddress = new Map<string, string>();
  const add = (address: string | undefined, role: string) => {
    const key = address?.trim().toLowerCase();
    if (key && !byAddress.has(key)) byAddress.set(key, `<${role}>`);
  };
  add(roles.to, 'to');
  for (const b of roles.bcc ?? []) add(b, 'bcc');
  add(roles.from, 'from');
  add(roles.replyTo, 'reply_to');
  // Whole addresses only: a@x.com inside ba@x.com or a@x.com.evil is not the message's address (the second pass
  // catches those).
  const known = [...byAddress.keys()].sort((a, b) => b.length - a.length);
  const pattern = known.length
    ? new RegExp(`(?<![\\p{L}\\p{N}._+-])(?:${known.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}-]|\\.[\\p{L}\\p{N}])`, 'giu')
    : null;
  return (text) =>
    (pattern ? text.replace(pattern, (m) => byAddress.get(m.toLowerCase()) ?? UNKNOWN_ADDRESS) : text).replace(
      ADDRESS_LIKE,
      UNKNOWN_ADDRESS,
    );
}

/** Every string in a JSON value, redacted (a copy; the value is left as it is). */
export function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, redact));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v, redact)]));
  }
  return value;
}

/**
 * Redacts, in place, the texts of a @sendgrid/client rejection that its classification reads: the message (an HTTP
 * status text, or a network error's text) and every string of SendGrid's answer body. Returns the same error.
 */
export function redactSendGridRejection<E>(err: E, redact: (text: string) => string): E {
  const e = err as { message?: unknown; response?: { body?: unknown } } | null;
  if (e && typeof e === 'object') {
    if (typeof e.message === 'string') e.message = redact(e.message);
    if (e.response && typeof e.response === 'object') e.response.body = redactStrings(e.response.body, redact);
  }
  return err;
}
