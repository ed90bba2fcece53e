// The shape of the report's figures for splits (A/B variants) and control groups (issue 25), filled by splitReport.ts
// from the flow log, the ledger and the tag times; the text report (splitText.ts) and the HTML report draw it.

/** One variant of a split, or one group (target, control) of a control group: every group is measured alike. */
export interface VariantFigures {
  /** the variant's name, or `target` / `control` (campaign text: escape it) */
  name: string;
  /** its share of customers in percent: a split's weight over the sum of its weights, a control group's percent */
  share?: number;
  customersReached: number;
  sent: number;
  skipped: number;
  delivered: number;
  /** people who opened (machine opens excluded) */
  openedCustomers: number;
  /** customers with an open SendGrid marked as a machine's (sg_machine_open), counted apart (docs/machine-opens.md) */
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
