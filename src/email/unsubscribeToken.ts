// One-click unsubscribe (RFC 8058): the link in every e-mail carries an HMAC-signed token naming the customer, the
// mailing category and the send, by id only (never an address). Whoever holds the secret can mint tokens, so it stays in
// the worker's and the service's configuration: it never enters a workflow input or history.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeClaims {
  /** the customer's external id */
  customerId: string;
  /** the send's mailing category, if it had one */
  categoryCode: string | null;
  /** `<run key>/<action id>`, as in custom_args.send_key */
  sendKey: string;
}

const VERSION = 'v1';

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest();
}

export function signUnsubscribeToken(secret: string, c: UnsubscribeClaims): string {
  const payload = Buffer.from(JSON.stringify([c.customerId, c.categoryCode, c.sendKey]), 'utf8').toString('base64url');
  return `${VERSION}.${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The claims of a token this secret signed, or null for anything else (forged, altered, truncated, another version). */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const [, payload, sig] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(sig)) return null;
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3) return null;
    const [customerId, categoryCode, sendKey] = v;
    if (typeof customerId !== 'string' || typeof sendKey !== 'string') return null;
    if (categoryCode !== null && typeof categoryCode !== 'string') return null;
    return { customerId, categoryCode, sendKey };
  } catch {
    return null;
  }
}

/** The secrets a token may be signed with: the current one, and during a rotation the previous one until a time. */
export interface UnsubscribeKeys {
  secret: string;
  previous?: { secret: string; until: Date };
}

/**
 * The claims of a token signed with the current secret, or with the previous one before its end (links sent before a
 * rotation keep working for as long as the operator configured); null for anything else.
 */
export function verifyUnsubscribeTokenRotating(keys: UnsubscribeKeys, token: string, now: Date = new Date()): UnsubscribeClaims | null {
  const current = verifyUnsubscribeToken(keys.secret, token);
  if (current || !keys.previous || now.getTime() >= keys.previous.until.getTime()) return current;
  return verifyUnsubscribeToken(keys.previous.secret, token);
}

export interface UnsubscribeLinkConfig {
  /** the service's public base URL (https, or http on loopback for local use) */
  publicUrl: string;
  secret: string;
  /** optional address for a mailto: unsubscribe next to the URL */
  mailto?: string;
}

export interface UnsubscribeLink {
  url: string;
  /** List-Unsubscribe and List-Unsubscribe-Post, as RFC 2369 and RFC 8058 want them */
  headers: Record<string, string>;
}

/**
 * A test send's link (`campaign-runner test-send`): a token in the same format, signed alike, whose claims name no
 * customer. Its customer id is one no customer can have (ids start with a letter or digit), so that even a service from
 * before test sends finds nobody to unsubscribe; its send key names the test send. The service answers it with a page
 * that says it was a test and changes nothing.
 */
export const TEST_SEND_CUSTOMER = '~test-send';
const TEST_SEND_KEY = 'test-send/';

export function testSendClaims(testSendId: string, categoryCode: string | null): UnsubscribeClaims {
  return { customerId: TEST_SEND_CUSTOMER, categoryCode, sendKey: `${TEST_SEND_KEY}${testSendId}` };
}

/** The test send a link's claims name, or null when they are a real send's. */
export function testSendOf(c: UnsubscribeClaims): string | null {
  return c.customerId === TEST_SEND_CUSTOMER && c.sendKey.startsWith(TEST_SEND_KEY) ? c.sendKey.slice(TEST_SEND_KEY.length) : null;
}

/** The path the service answers on; the token is the last segment. */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

export function unsubscribeLink(cfg: UnsubscribeLinkConfig, claims: UnsubscribeClaims): UnsubscribeLink {
  const token = signUnsubscribeToken(cfg.secret, claims);
  const url = `${cfg.publicUrl.replace(/\/+$/, '')}${UNSUBSCRIBE_PATH}/${token}`;
  const targets = [`<${url}>`];
  if (cfg.mailto) targets.push(`<mailto:${cfg.mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>`);
  return { url, headers: { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
}
