// The report's statistics (src/report/twoProportion.ts, variantComparisons.ts): the normal distribution against
// published values, the two-proportion test against R's prop.test (correct = FALSE) and hand arithmetic, and the lines
// the report prints: a winner only below the (Bonferroni-corrected) threshold, small samples not judged, a control group
// judged on the goal only.
import assert from 'node:assert/strict';
import { normalCdf, normalUpperTail, twoProportionTest, Z_95 } from '../../src/report/twoProportion';
import { compareVariants, MIN_PER_GROUP } from '../../src/report/variantComparisons';
import type { VariantFigures } from '../../src/report/splitFigures';
import { docSection } from '../support/docs';

const close = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, want ${want} ± ${tol}`);

function variant(name: string, over: Partial<VariantFigures>): VariantFigures {
  return {
    name,
    customersReached: 0,
    sent: 0,
    skipped: 0,
    delivered: 0,
    openedCustomers: 0,
    clickedCustomers: 0,
    unsubscribed: 0,
    spamReports: 0,
    ...over,
  };
}

describe('two-proportion test', () => {
  it('the normal distribution: Φ and its upper tail match published values, far into the tail', () => {
    const known: [number, number][] = [
      [0, 0.5],
      [1, 0.8413447460685429],
      [1.96, 0.9750021048517795],
      [3, 0.9986501019683699],
      [-1.96, 0.024997895148220435],
    ];
    for (const [z, want] of known) close(normalCdf(z), want, 1e-14, `Φ(${z})`);
    const tails: [number, number][] = [
      [1, 0.15865525393145707],
      [3, 0.0013498980316300957],
      [5, 2.866515718791946e-7],
      [6, 9.865876450377012e-10],
      [8, 6.220960574271819e-16],
    ];
    for (const [z, want] of tails) close(normalUpperTail(z) / want, 1, 1e-10, `Q(${z}) relative`);
    // Both sides of the switch from series to continued fraction agree.
    close(normalUpperTail(5 - 1e-12), normalUpperTail(5), 1e-15, 'continuity at 5');
    close(2 * normalUpperTail(1.96), 0.05, 1e-4, 'two-sided p at z = 1.96');
    close(2 * normalUpperTail(Z_95), 0.05, 1e-15, 'two-sided p at the 95 % quantile');
    close(2 * normalUpperTail(2.5758293035489), 0.01, 1e-12, 'two-sided p at z = 2.576');
  });

  it('difference, unpooled Wald interval and pooled p-value, as R prop.test(correct = FALSE) gives them', () => {
    // prop.test(c(131, 100), c(1000, 1000), correct = FALSE): X-squared = 4.7034, p-value = 0.0301
    const r = twoProportionTest({ successes: 100, trials: 1000 }, { successes: 131, trials: 1000 });
    close(r.difference, 0.031, 1e-12, 'difference');
    close(r.low, 0.0030171637507655467, 1e-12, 'low');
    close(r.high, 0.05898283624923445, 1e-12, 'high');
    close(r.z * r.z, 4.7034, 1e-4, 'z² = chi-squared');
    close(r.pValue, 0.03010269592732442, 1e-12, 'p');
    const worse = twoProportionTest({ successes: 131, trials: 1000 }, { successes: 100, trials: 1000 });
    close(worse.difference, -0.031, 1e-12, 'the other way round');
    close(worse.pValue, r.pValue, 1e-15, 'two-sided');
    // Nothing to tell apart: p = 1, an interval of zero width.
    assert.deepEqual(twoProportionTest({ successes: 0, trials: 50 }, { successes: 0, trials: 40 }), {
      difference: 0,
      low: 0,
      high: 0,
      z: 0,
      pValue: 1,
    });
    assert.throws(() => twoProportionTest({ successes: 1, trials: 0 }, { successes: 0, trials: 5 }), /group a: 1 of 0 is not a proportion/);
  });
});

describe('variant comparisons: the report lines', () => {
  it('B against A on the click rate: a winner below 0.05, "no winner yet" above, the line word for word', () => {
    const a = variant('A', { customersReached: 1000, sent: 1000, clickedCustomers: 100 });
    const b = variant('B', { customersReached: 1000, sent: 1000, clickedCustomers: 131 });
    const [c] = compareVariants('split', [a, b], false);
    assert.equal(c.line, 'B vs A, click rate: +3.1 points (95 % CI +0.3 to +5.9), p = 0.03: B wins');
    assert.equal(c.winner, 'B');
    assert.equal(c.metric, 'click');
    const [reversed] = compareVariants('split', [b, a], false);
    assert.equal(reversed.line, 'A vs B, click rate: -3.1 points (95 % CI -5.9 to -0.3), p = 0.03: B wins');
    const near = compareVariants('split', [a, variant('B', { customersReached: 400, sent: 400, clickedCustomers: 50 })], false)[0];
    assert.equal(near.line, 'B vs A, click rate: +2.5 points (95 % CI -1.2 to +6.2), p = 0.17: no winner yet');
    assert.equal(near.winner, undefined);
  });

  it('more than two variants: each against the first, at 0.05 / comparisons (Bonferroni)', () => {
    const a = variant('A', { customersReached: 1000, sent: 1000, clickedCustomers: 100 });
    const b = variant('B', { customersReached: 1000, sent: 1000, clickedCustomers: 131 });
    const c = variant('C', { customersReached: 1000, sent: 1000, clickedCustomers: 145 });
    const lines = compareVariants('split', [a, b, c], false);
    assert.deepEqual(
      lines.map((l) => l.line),
      [
        'B vs A, click rate: +3.1 points (95 % CI +0.3 to +5.9), p = 0.03, threshold 0.025 (Bonferroni, 2 comparisons): no winner yet',
        'C vs A, click rate: +4.5 points (95 % CI +1.6 to +7.4), p = 0.0021, threshold 0.025 (Bonferroni, 2 comparisons): C wins',
      ],
    );
  });

  it('small samples and no successes at all are not judged', () => {
    const a = variant('A', { customersReached: 29, sent: 29, clickedCustomers: 1 });
    const b = variant('B', { customersReached: 500, sent: 500, clickedCustomers: 200 });
    const [few] = compareVariants('split', [a, b], false);
    assert.equal(few.line, `B vs A, click rate: not enough data (500 and 29 sent; at least ${MIN_PER_GROUP} each are needed)`);
    assert.equal(few.winner, undefined);
    const none = compareVariants('split', [variant('A', { sent: 100 }), variant('B', { sent: 100 })], false)[0];
    assert.equal(none.line, 'B vs A, click rate: not enough data (no click in either)');
    const nothingSent = compareVariants('split', [variant('A', {}), variant('B', {})], false)[0];
    assert.equal(nothingSent.line, 'B vs A, click rate: not enough data (0 and 0 sent; at least 30 each are needed)');
    assert.equal(nothingSent.pValue, 1);
  });

  it('with a goal, variants are compared on the goal rate of everyone reached, too', () => {
    const a = variant('A', { customersReached: 1000, sent: 900, clickedCustomers: 90, goalReached: 100 });
    const b = variant('B', { customersReached: 1000, sent: 900, clickedCustomers: 90, goalReached: 131 });
    const [click, goal] = compareVariants('split', [a, b], true);
    assert.equal(click.line, 'B vs A, click rate: +0.0 points (95 % CI -2.8 to +2.8), p = 1: no winner yet');
    assert.equal(goal.line, 'B vs A, goal rate: +3.1 points (95 % CI +0.3 to +5.9), p = 0.03: B wins');
    assert.equal(goal.metric, 'goal');
  });

  it('a control group: target against control on the goal rate only, and nothing without a goal', () => {
    const control = variant('control', { customersReached: 1000, goalReached: 100 });
    const target = variant('target', { customersReached: 1000, sent: 1000, clickedCustomers: 300, goalReached: 131 });
    const lines = compareVariants('controlGroup', [target, control], true);
    assert.deepEqual(
      lines.map((l) => [l.metric, l.line]),
      [['goal', 'target vs control, goal rate: +3.1 points (95 % CI +0.3 to +5.9), p = 0.03: target wins']],
    );
    assert.deepEqual(compareVariants('controlGroup', [target, control], false), []);
  });

  it('a p-value that rounds to the threshold shows enough digits to be on its side', () => {
    // z just above 1.96: p = 0.0499...; two digits would print 0.05 next to "wins".
    const a = variant('A', { customersReached: 2000, sent: 2000, clickedCustomers: 200 });
    const b = variant('B', { customersReached: 2000, sent: 2000, clickedCustomers: 239 });
    const [c] = compareVariants('split', [a, b], false);
    assert.match(c.line, /p = 0\.0(4\d+|5\d*): (B wins|no winner yet)$/);
    const shown = Number(/p = ([\d.]+)/.exec(c.line)![1]);
    assert.equal(shown < 0.05, c.winner === 'B', c.line);
  });
});

describe("docs/split-and-control-report.md's worked example", () => {
  it('prints the lines the report prints for its numbers', () => {
    const text = docSection('docs/split-and-control-report.md', 'The report: is there a winner?');
    const example = text.slice(text.indexOf('### A worked example'));
    const a = variant('A', { customersReached: 2000, sent: 2000, clickedCustomers: 160, goalReached: 100 });
    const b = variant('B', { customersReached: 2000, sent: 2000, clickedCustomers: 210, goalReached: 118 });
    const c = variant('C', { customersReached: 2000, sent: 2000, clickedCustomers: 195, goalReached: 104 });
    const target = variant('target', { customersReached: 9000, sent: 9000, clickedCustomers: 700, goalReached: 540 });
    const control = variant('control', { customersReached: 1000, goalReached: 45 });
    for (const line of compareVariants('split', [a, b], true).map((x) => x.line)) assert.ok(example.includes(line), line);
    assert.ok(example.includes(compareVariants('controlGroup', [target, control], true)[0].line));
    const bonferroni = compareVariants('split', [a, b, c], false)[1].line;
    assert.ok(text.replace(/\n/g, ' ').includes(bonferroni), bonferroni);
  });
});
