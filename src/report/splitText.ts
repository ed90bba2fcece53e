// The text report's section for a split or control group (issue 25): its variants side by side, one column each, then
// the comparisons' lines (variantComparisons.ts), word for word as the HTML report shows them.
import type { CampaignGoal } from '../campaigns/types';
import type { SplitFigures, VariantFigures } from './splitFigures';
import { NO_GOAL_FOR_CONTROL } from './variantComparisons';

/** The goal as the report states it. */
export function goalText(goal: CampaignGoal): string {
  return `goal: the customer gets tag "${goal.tag}" within ${goal.withinDays} day${goal.withinDays === 1 ? '' : 's'} of entering`;
}

/** A split or control group: its variants side by side (one column each), then whether one wins. */
export function formatSplit(s: SplitFigures, goal: CampaignGoal | undefined): string[] {
  const rate = (n: number | undefined, of: number) => (n === undefined ? undefined : of === 0 ? '–' : ((100 * n) / of).toFixed(1));
  const rows: [string, (v: VariantFigures) => number | string | undefined][] = [
    ['share %', (v) => v.share],
    ['reached', (v) => v.customersReached],
    ['sent', (v) => v.sent],
    ['skipped', (v) => v.skipped],
    ['delivered', (v) => v.delivered],
    ['opened', (v) => v.openedCustomers],
    ['machine opens', (v) => v.machineOpens],
    ['clicked', (v) => v.clickedCustomers],
    ['unsub', (v) => v.unsubscribed],
    ['spam', (v) => v.spamReports],
    ['goal reached', (v) => v.goalReached],
    // the rates the comparisons test, and the open rate (people's opens only), in percent
    ['open rate %', (v) => rate(v.openedCustomers, v.sent)],
    ['click rate %', (v) => rate(v.clickedCustomers, v.sent)],
    ['goal rate %', (v) => rate(v.goalReached, v.customersReached)],
  ];
  const shown = rows.filter(([, of]) => s.variants.some((v) => of(v) !== undefined));
  const table = [
    [s.kind === 'split' ? 'variant' : 'group', ...s.variants.map((v) => v.name)],
    ...shown.map(([head, of]) => [head, ...s.variants.map((v) => String(of(v) ?? '–'))]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = s.comparisons.map((c) => c.line);
  if (s.kind === 'controlGroup' && !goal) lines.push(NO_GOAL_FOR_CONTROL);
  return [
    `${s.kind === 'split' ? 'Split' : 'Control group'} ${s.actionId}${goal ? ` (${goalText(goal)})` : ''}`,
    ...table.map(fmt),
    ...lines,
    'counts are of customers: sent = with at least one e-mail below sent, skipped = with at least one skipped; click rate = clicked / sent, goal rate = goal reached / reached',
  ];
}
