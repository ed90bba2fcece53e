/** Failure types the activities throw; the workflow's retry policy and handlers key on them. */
export const FailureTypes = {
  rejected: 'SendGridRejected',
  rateLimited: 'SendGridRateLimited',
  auth: 'SendGridAuth',
  unavailable: 'SendGridUnavailable',
  badCampaign: 'CampaignNotFound',
} as const;
export type FailureType = (typeof FailureTypes)[keyof typeof FailureTypes];
