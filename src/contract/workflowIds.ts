// Business-key workflow ids: starting the same (campaign, customer) pair twice finds the same run.
export function campaignRunWorkflowId(campaignId: string, customerId: string): string {
  return `campaign-run:${campaignId}:${customerId}`;
}

export function launchWorkflowId(campaignId: string, launchId: string): string {
  return `launch:${campaignId}:${launchId}`;
}
