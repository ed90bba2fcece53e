/** Failure types the activities throw; the workflow's retry policy and handlers key on them. */
export const FailureTypes = {
  /** SendGrid refused this message for good (400, 413, 415): not retried */
  rejected: 'SendGridRejected',
  rateLimited: 'SendGridRateLimited',
  /** 401/403: retried until an operator fixes the key or the sender identity */
  auth: 'SendGridAuth',
  /** any other answer that is not SendGrid's (404, 405, a redirect...): retried until SENDGRID_BASE_URL is fixed */
  misconfigured: 'SendGridMisconfigured',
  unavailable: 'SendGridUnavailable',
  /** SendGrid may have taken the message and the campaign holds unknown deliveries: not retried */
  deliveryUnknown: 'DeliveryUnknown',
  /** the message lifetime ran out before the e-mail went out: not retried */
  lifetimeExpired: 'LifetimeExpired',
  badCampaign: 'CampaignNotFound',
  /** a run started under another workflow id than its own, or with an input that does not match its stored campaign */
  invalidRunInput: 'InvalidRunInput',
} as const;
export type FailureType = (typeof FailureTypes)[keyof typeof FailureTypes];

/** The failure types after which Temporal must not retry a sendEmail attempt. */
export const FINAL_SEND_FAILURES: FailureType[] = [
  FailureTypes.rejected,
  FailureTypes.badCampaign,
  FailureTypes.deliveryUnknown,
  FailureTypes.lifetimeExpired,
];
