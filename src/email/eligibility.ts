// SmartCom's Send e-mail rule, as a pure function: a customer gets the e-mail only if, at the moment of sending, they have
// an active e-mail channel subscription, an address, a valid address, and (when the action names a category) an active
// subscription to that category. Every failing condition is reported, in this fixed order.
import type { SkipReason } from '../contract';
import { isValidEmail } from './address';

/** Codes 30 and above are hard problems (no address, format error, bounced, blocked, blacklisted): never sendable. */
export const HARD_QUALITY_CODE = 30;

export interface EligibilityFacts {
  emailChannelActive: boolean;
  email: string | null;
  emailQualityCode: number;
  /** null when the action has no mailing category */
  categorySubscribed: boolean | null;
}

export function skipReasons(f: EligibilityFacts): SkipReason[] {
  const reasons: SkipReason[] = [];
  if (!f.emailChannelActive) reasons.push('email_channel_unsubscribed');
  const hasEmail = f.email !== null && f.email.trim() !== '';
  if (!hasEmail) reasons.push('email_missing');
  // A missing address is not also "invalid" by syntax, but a hard quality code makes it invalid either way.
  const badSyntax = hasEmail && !isValidEmail(f.email!.trim());
  if (badSyntax || f.emailQualityCode >= HARD_QUALITY_CODE) reasons.push('email_invalid');
  if (f.categorySubscribed === false) reasons.push('category_unsubscribed');
  return reasons;
}
