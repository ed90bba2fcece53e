// Two proportions compared: the difference with its 95 % confidence interval (unpooled Wald) and the two-sided p-value
// of the pooled two-proportion z-test. Pure arithmetic, no dependency: the report's "is there a winner?" rests on it
// (docs/split-and-control-report.md says what it assumes).

/** z for a two-sided 95 % interval: the 0.975 quantile of the standard normal distribution. */
export const Z_95 = 1.959963984540054;

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** The standard normal density. */
function density(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI;
}

/**
 * P(Z > z) for z >= 0, to about 1e-15 absolute. Below 5 by the series Φ(z) = ½ + φ(z)·Σ z^(2n+1)/(1·3·…·(2n+1))
 * (Marsaglia 2004: every term positive, so nothing cancels); above 5 by the continued fraction of the Mills ratio, whose
 * few terms are exact where the series' ½ minus nearly ½ would lose the tail.
 */
function upperTailNonNegative(z: number): number {
  if (z < 5) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (z * z) / (2 * n + 1);
      sum += term;
    }
    return 0.5 - density(z) * sum;
  }
  // φ(z) / (z + 1/(z + 2/(z + 3/(z + …)))), evaluated from the inside out.
  let f = z;
  for (let k = 60; k >= 1; k--) f = z + k / f;
  return density(z) / f;
}

/** P(Z > z) of the standard normal distribution. */
export function normalUpperTail(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return z >= 0 ? upperTailNonNegative(z) : 1 - upperTailNonNegative(-z);
}

/** Φ(z) = P(Z ≤ z) of the standard normal distribution. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return z >= 0 ? 1 - upperTailNonNegative(z) : upperTailNonNegative(-z);
}

export interface Proportion {
  successes: number;
  trials: number;
}

export interface TwoProportionResult {
  /** rate(b) - rate(a), as a fraction */
  difference: number;
  /** its 95 % confidence interval, unpooled Wald: d ± 1.96·√(pa(1-pa)/na + pb(1-pb)/nb) */
  low: number;
  high: number;
  /** the pooled z statistic; 0 when neither group has a success (or every trial is one) */
  z: number;
  /** two-sided: 2·P(Z > |z|) */
  pValue: number;
}

/** b against a. Both need at least one trial (the caller decides what is too few to judge). */
export function twoProportionTest(a: Proportion, b: Proportion): TwoProportionResult {
  for (const [name, p] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!(p.trials > 0) || p.successes < 0 || p.successes > p.trials)
      throw new RangeError(`group ${name}: ${p.successes} of ${p.trials} is not a proportion`);
  }
  const pa = a.successes / a.trials;
  const pb = b.successes / b.trials;
  const difference = pb - pa;
  const half = Z_95 * Math.sqrt((pa * (1 - pa)) / a.trials + (pb * (1 - pb)) / b.trials);
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  const z = se > 0 ? difference / se : 0;
  return { difference, low: difference - half, high: difference + half, z, pValue: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}
