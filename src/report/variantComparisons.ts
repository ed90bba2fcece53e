// Is there a winner? Each variant of a split against the first, on the click rate (clicked / sent) and, when the
// campaign has a goal, the goal rate (goal reached / reached); a control group's target against its control on the goal
// rate only: the control receives nothing, so its click rate says nothing. A winner only once p is below 0.05, divided by
// the number of comparisons of the metric when a split has more than two variants (Bonferroni). Small samples are not
// judged. docs/split-and-control-report.md "The report: is there a winner?" says why, and what the test assumes.
import type { SplitFigures, VariantComparison, VariantFigures } from './splitFigures';
import { twoProportionTest } from './twoProportion';

export const ALPHA = 0.05;
/** fewer trials than this in either group: "not enough data" */
export const MIN_PER_GROUP = 30;

interface Metric {
  key: VariantComparison['metric'];
  words: string;
  /** what a trial is, for the "not enough data" line */
  trialWord: string;
  successWord: string;
  of: (v: VariantFigures) => { successes: number; trials: number };
}

const CLICK: Metric = {
  key: 'click',
  words: 'click rate',
  trialWord: 'sent',
  successWord: 'click',
  of: (v) => ({ successes: v.clickedCustomers, trials: v.sent }),
};
const GOAL: Metric = {
  key: 'goal',
  words: 'goal rate',
  trialWord: 'reached',
  successWord: 'goal reached',
  of: (v) => ({ successes: v.goalReached ?? 0, trials: v.customersReached }),
};

const points = (fraction: number) => {
  const p = (100 * fraction).toFixed(1);
  return p.startsWith('-') ? (p === '-0.0' ? '+0.0' : p) : `+${p}`;
};

/** Two significant digits, more where the rounding would show the threshold itself on the wrong side of it. */
function pText(p: number, threshold: number): string {
  if (p < 0.001) return '< 0.001';
  let s = String(Number(p.toPrecision(2)));
  if (Number(s) < threshold !== p < threshold) s = String(Number(p.toPrecision(4)));
  return `= ${s}`;
}

function compare(a: VariantFigures, b: VariantFigures, m: Metric, comparisons: number): VariantComparison {
  const pa = m.of(a);
  const pb = m.of(b);
  const threshold = ALPHA / comparisons;
  const head = `${b.name} vs ${a.name}, ${m.words}`;
  const few = pa.trials < MIN_PER_GROUP || pb.trials < MIN_PER_GROUP;
  const none = pa.successes === 0 && pb.successes === 0;
  if (few || none) {
    const r = pa.trials > 0 && pb.trials > 0 ? twoProportionTest(pa, pb) : { difference: 0, low: 0, high: 0, pValue: 1 };
    const why = few
      ? `${pb.trials} and ${pa.trials} ${m.trialWord}; at least ${MIN_PER_GROUP} each are needed`
      : `no ${m.successWord} in either`;
    return { metric: m.key, a: a.name, b: b.name, ...pick(r), line: `${head}: not enough data (${why})` };
  }
  const r = twoProportionTest(pa, pb);
  const winner = r.pValue < threshold && r.difference !== 0 ? (r.difference > 0 ? b.name : a.name) : undefined;
  const bonferroni = comparisons > 1 ? `, threshold ${Number(threshold.toPrecision(3))} (Bonferroni, ${comparisons} comparisons)` : '';
  const line =
    `${head}: ${points(r.difference)} points (95 % CI ${points(r.low)} to ${points(r.high)}), ` +
    `p ${pText(r.pValue, threshold)}${bonferroni}: ${winner ? `${winner} wins` : 'no winner yet'}`;
  return { metric: m.key, a: a.name, b: b.name, ...pick(r), ...(winner ? { winner } : {}), line };
}

const pick = (r: { difference: number; low: number; high: number; pValue: number }) => ({
  difference: r.difference,
  low: r.low,
  high: r.high,
  pValue: r.pValue,
});

/**
 * The comparisons of a split (each variant against the first, in the campaign's order) or of a control group (target
 * against control), given whether the campaign has a goal.
 */
export function compareVariants(kind: SplitFigures['kind'], variants: VariantFigures[], hasGoal: boolean): VariantComparison[] {
  if (kind === 'controlGroup') {
    const control = variants.find((v) => v.name === 'control');
    const target = variants.find((v) => v.name === 'target');
    return hasGoal && control && target ? [compare(control, target, GOAL, 1)] : [];
  }
  const [first, ...others] = variants;
  if (!first) return [];
  const metrics = hasGoal ? [CLICK, GOAL] : [CLICK];
  return metrics.flatMap((m) => others.map((b) => compare(first, b, m, others.length)));
}

/** What the text report says under a control group that cannot be compared. */
export const NO_GOAL_FOR_CONTROL = 'no goal set: a control group is compared on the goal rate only (its control receives no e-mail)';
