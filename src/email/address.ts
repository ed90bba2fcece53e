/**
 * Pragmatic e-mail address syntax check, shared by customer eligibility, BCC
 * validation and the SendGrid fake so that all three agree on what "valid" means.
 *
 * Deliberately narrower than RFC 5322: no quoted local parts, no comments, no IP
 * literals, no internationalised (non-ASCII) addresses. SendGrid itself rejects
 * Unicode in `from`, and addresses outside this subset are far more often typos
 * than real mailboxes, so refusing them early is the cheaper failure.
 */

/** SendGrid's documented maximum total address length (local + '@' + domain). */
const MAX_ADDRESS_LENGTH = 320;
/** RFC 5321 limits. */
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

// RFC 5322 "atext": letters, digits and these printable specials. A dot-atom is
// atext runs separated by single dots, which rules out leading, trailing and
// doubled dots in one expression.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// A DNS label: alphanumerics and inner hyphens only.
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
// The top-level domain must be letters only; this rejects "user@host.123" and
// bare IP addresses, which are not deliverable marketing targets.
const TLD = /^[A-Za-z]{2,}$/;

export function isValidEmail(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_ADDRESS_LENGTH) return false;
  // Whitespace is never valid in the unquoted forms we accept; check explicitly so
  // that e.g. a trailing newline cannot sneak through any later regex.
  if (/\s/.test(s)) return false;

  const at = s.indexOf('@');
  if (at < 0 || at !== s.lastIndexOf('@')) return false; // exactly one '@'

  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.length < 1 || local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return false;

  const labels = domain.split('.');
  if (labels.length < 2) return false; // "user@localhost" is not an internet address
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH || !LABEL.test(label)) return false;
  }
  return TLD.test(labels[labels.length - 1]);
}

/**
 * Canonical form used for comparisons and dedup keys. Lower-casing the local part
 * is technically lossy (RFC 5321 makes it case-sensitive), but no mainstream
 * provider treats case as significant and SendGrid's own duplicate checks are
 * case-insensitive in practice.
 */
export function normalizeEmail(s: string): string {
  return s.trim().toLowerCase();
}
