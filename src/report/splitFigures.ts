// The shape the report expects for splits (A/B variants) and control groups, which issue 25 adds. Nothing fills it yet:
// the HTML report draws such a section only when the report carries one, so the day the report's query fills it, the
// file shows the variants side by side without a change to the renderer.

/** One variant of a split, or one group (target, control) of a control group: every group is measured alike. */
export interface VariantFigures {
  /** the variant's name, or `target` / `control` (campaign text: escape it) */
  name: string;
  /** its weight or percentage, as the campaign gave it */
  share?: number;
  customersReached: number;
  sent: number;
  skipped: number;
  delivered: number;
  /** people who opened (machine opens excluded) */
  openedCustomers: number;
  /** opens SendGrid marked as a machine's (sg_machine_open), counted apart */
  machineOpens?: number;
  clickedCustomers: number;
  unsubscribed: number;
  spamReports: number;
  /** customers who reached the campaign's goal; absent when the campaign has none */
  goalReached?: number;
}

/** Two variants (or target against control) compared on one rate by a two-proportion test. */
export interface VariantComparison {
  /** which rate: clicks or the goal */
  metric: 'click' | 'goal';
  /** the variants compared: `b` against `a` */
  a: string;
  b: string;
  /** rate(b) - rate(a), as a fraction */
  difference: number;
  /** the difference's 95 % confidence interval */
  low: number;
  high: number;
  pValue: number;
  /** the better variant once the difference is significant; absent: no winner yet */
  winner?: string;
  /** the text report's significance line, word for word */
  line: string;
}

export interface SplitFigures {
  /** the split or control group action */
  actionId: string;
  kind: 'split' | 'controlGroup';
  variants: VariantFigures[];
  comparisons: VariantComparison[];
}
