// Why a Send e-mail action did not send, in the fixed order the result lists them (SmartCom's four rules, then the
// customer that no longer exists).
export const SKIP_REASONS = [
  'email_channel_unsubscribed',
  'email_missing',
  'email_invalid',
  'category_unsubscribed',
  'customer_not_found',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
