import { describeOutcome, type CampaignRunResult } from '../contract';

/** One line per run: "c-42  welcome-email: sent (message ...) | tag-welcomed: done". */
export function describeRun(r: CampaignRunResult): string {
  return `${r.customerId}\t${r.actions.map((a) => `${a.actionId}: ${describeOutcome(a.outcome)}`).join(' | ')}`;
}
