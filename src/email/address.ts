/**
 * E-mail address syntax, shared by customer eligibility, campaign validation (from, reply-to, BCC) and the SendGrid
 * fake, so that all of them agree on what "valid" means. test/fixtures/addressExamples.ts lists the published examples.
 *
 * Deliberately narrower than RFC 5322: no quoted local parts, no comments, no IP literals. The local part is ASCII:
 * a non-ASCII one needs SMTPUTF8 at SendGrid and at the receiving server, which we do not rely on. The domain may be
 * internationalised, in its Unicode form (ivan@почта.рф) or its xn-- form (ivan@xn--80a1acny.xn--p1ai); lengths and
 * label rules apply to the xn-- form, which is what goes over SMTP and what we send to SendGrid (asciiEmail).
 */
import { domainToASCII, domainToUnicode } from 'node:url';

/** SendGrid's documented maximum total address length (local + '@' + domain). */
const MAX_ADDRESS_LENGTH = 320;
/** RFC 5321 limits, measured on the xn-- form. */
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;

// RFC 5322 "atext": letters, digits and these printable specials. A dot-atom is
// atext runs separated by single dots, which rules out leading, trailing and
// doubled dots in one expression.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// A label in the xn-- form (domainToASCII lower-cases): alphanumerics and inner hyphens only.
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// The same label in its Unicode form: letters, combining marks and digits of any script, inner hyphens (IDNA2008
// allows no symbols, so emoji domains are refused even though the browsers' UTS 46 mapping would take them).
const UNICODE_LABEL = /^[\p{L}\p{M}\p{Nd}](?:[\p{L}\p{M}\p{Nd}-]*[\p{L}\p{M}\p{Nd}])?$/u;
// The top-level domain is letters only, at least two: this rejects "user@host.123" and bare IP addresses, which are
// not deliverable marketing targets. Internationalised ones (.рф = .xn--p1ai) count their Unicode letters.
const TLD = /^\p{L}\p{M}*(?:\p{L}\p{M}*)+$/u;

/**
 * The domain in its xn-- form, or null when it is not one we accept. The domain must be written as it will be read:
 * each label as its xn-- form or its Unicode form (case aside). Anything the URL parser would first have to map
 * (full-width letters, "。", ligatures, invisible characters, percent escapes) or an xn-- label that is not the
 * canonical encoding of its Unicode form is refused, since we cannot know that SendGrid maps it the same way.
 */
function asciiDomain(domain: string): string | null {
  const ascii = domainToASCII(domain); // '' when it is not a valid (internationalised) domain name at all
  if (ascii === '' || ascii.length > MAX_DOMAIN_LENGTH) return null;
  const unicode = domainToUnicode(ascii);
  if (domainToASCII(unicode) !== ascii) return null; // xn-- labels must round-trip
  const written = domain.toLowerCase().split('.');
  const asciiLabels = ascii.split('.');
  const unicodeLabels = unicode.split('.');
  if (written.length < 2 || asciiLabels.length !== written.length) return null; // "user@localhost" is no internet address
  for (let i = 0; i < written.length; i++) {
    if (written[i] !== asciiLabels[i] && written[i] !== unicodeLabels[i]) return null;
    if (asciiLabels[i].length > MAX_LABEL_LENGTH || !ASCII_LABEL.test(asciiLabels[i])) return null;
    if (!UNICODE_LABEL.test(unicodeLabels[i])) return null;
  }
  return TLD.test(unicodeLabels[unicodeLabels.length - 1]) ? ascii : null;
}

/** The local part and the domain's xn-- form, or null when the address is not valid. */
function parse(s: string): { local: string; domain: string } | null {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_ADDRESS_LENGTH) return null;
  // Whitespace is never valid in the unquoted forms we accept; check explicitly so
  // that e.g. a trailing newline cannot sneak through any later regex.
  if (/\s/.test(s)) return null;

  const at = s.indexOf('@');
  if (at < 0 || at !== s.lastIndexOf('@')) return null; // exactly one '@'

  const local = s.slice(0, at);
  if (local.length < 1 || local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return null;
  const domain = asciiDomain(s.slice(at + 1));
  return domain === null ? null : { local, domain };
}

export function isValidEmail(s: string): boolean {
  return parse(s) !== null;
}

/**
 * Which check an address fails, for the record of a decision (never the address itself): `syntax` (its length,
 * whitespace, the '@', the local part) or `domain` (the domain's form: labels, length, top-level domain); null when
 * it is valid. isValidEmail(s) is exactly addressProblem(s) === null.
 */
export function addressProblem(s: string): 'syntax' | 'domain' | null {
  if (parse(s) !== null) return null;
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_ADDRESS_LENGTH || /\s/.test(s)) return 'syntax';
  const at = s.indexOf('@');
  if (at < 0 || at !== s.lastIndexOf('@')) return 'syntax';
  const local = s.slice(0, at);
  if (local.length < 1 || local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return 'syntax';
  return 'domain';
}

/** SendGrid refuses Unicode in `from` (its "Limitations" page): a sender address is valid and ASCII (xn-- domains). */
export function isValidSenderEmail(s: string): boolean {
  return isValidEmail(s) && /^[\x21-\x7e]+$/.test(s);
}

/**
 * The address as we send it: its domain in the xn-- form, which every mail server takes (no SMTPUTF8 needed), the
 * local part untouched. An invalid address is returned as it is.
 */
export function asciiEmail(s: string): string {
  const parsed = parse(s);
  return parsed ? `${parsed.local}@${parsed.domain}` : s;
}

/**
 * Canonical form used for comparisons and dedup keys: trimmed, the domain in its xn-- form (so both forms of an
 * internationalised address are one), lower-cased. Lower-casing the local part is technically lossy (RFC 5321 makes
 * it case-sensitive), but no mainstream provider treats case as significant and SendGrid's own duplicate checks are
 * case-insensitive in practice.
 */
export function normalizeEmail(s: string): string {
  return asciiEmail(s.trim()).toLowerCase();
}
