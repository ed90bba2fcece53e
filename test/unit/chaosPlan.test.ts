// The chaos run's plan and audience (bench/chaos/plan.ts, customers.ts): reproducible from the seed, every fault and
// every kind of change in it, and customers that cover every eligibility case.
import { strict as assert } from 'node:assert';
import { applyChange, CATEGORY_A, CATEGORY_B, CHANGE_KINDS, chaosCustomers, expectedReasons } from '../../bench/chaos/customers';
import { CHAOS_FAULTS, describePlan, planChaos } from '../../bench/chaos/plan';
import { parseArgs } from '../../bench/chaos';
import { SKIP_REASONS } from '../../src/contract';
import { seededRandom } from '../../dev/seededRandom';

describe('chaos plan and audience', () => {
  const plan = (seed: number, customers = 300) => planChaos({ seed, customers, unknownDelivery: 'hold', workers: 2 });

  it('is the same for the same seed and customer count, and differs for another seed', () => {
    assert.deepEqual(plan(1), plan(1));
    assert.deepEqual(describePlan(plan(1)), describePlan(plan(1)));
    assert.notDeepEqual(plan(1).killGapsMs.slice(0, 10), plan(2).killGapsMs.slice(0, 10));
    assert.deepEqual(chaosCustomers(500, seededRandom(3)), chaosCustomers(500, seededRandom(3)));
  });

  it('kills every 3-8 s, restarts the server before Postgres, bursts every fault kind in turn, and changes every kind', () => {
    const p = plan(5);
    assert.ok(p.killGapsMs.every((g) => g >= 3000 && g <= 8000));
    assert.ok(p.temporalRestartAt < p.postgresRestartAt);
    assert.deepEqual(new Set(p.bursts.slice(0, CHAOS_FAULTS.length).map((b) => b.kind)), new Set(CHAOS_FAULTS));
    assert.deepEqual(new Set(p.changes.slice(0, CHANGE_KINDS.length)), new Set(CHANGE_KINDS), 'one of each kind first');
    assert.ok(Object.values(p.baseRates).reduce((t, r) => t + r, 0) + Math.max(...p.bursts.map((b) => b.rate)) <= 1);
    assert.equal(plan(5, 20_000).changes.length, 1000, '4 % changed and 1 % deleted');
  });

  it('gives every combination of the eligibility facts, and every skip reason for each e-mail', () => {
    const customers = chaosCustomers(300, seededRandom(1));
    const address = (c: (typeof customers)[number]) =>
      c.email === null
        ? 'missing'
        : c.email!.includes('@@')
          ? 'bad syntax'
          : c.emailQualityCode! >= 30
            ? 'hard'
            : c.emailQualityCode! > 0
              ? 'soft'
              : 'valid';
    const cases = new Set(customers.map((c) => JSON.stringify([c.emailSubscribed, address(c), c.categories?.news, c.categories?.offers])));
    assert.equal(cases.size, 2 * 5 * 3 * 3);
    for (const category of [CATEGORY_A, CATEGORY_B]) {
      const reasons = new Set(customers.flatMap((c) => expectedReasons(c, category)));
      assert.deepEqual(new Set([...reasons, 'customer_not_found']), new Set(SKIP_REASONS));
      assert.ok(
        customers.some((c) => expectedReasons(c, category).length === 0),
        'some are sent to',
      );
    }
    const eligible = customers.find((c) => expectedReasons(c, CATEGORY_A).length === 0 && expectedReasons(c, CATEGORY_B).length === 0)!;
    assert.deepEqual(expectedReasons(applyChange(eligible, 'channel'), CATEGORY_B), ['email_channel_unsubscribed']);
    assert.deepEqual(expectedReasons(applyChange(eligible, 'categoryA'), CATEGORY_A), ['category_unsubscribed']);
    assert.deepEqual(expectedReasons(applyChange(eligible, 'categoryA'), CATEGORY_B), []);
    assert.deepEqual(expectedReasons(applyChange(eligible, 'hardCode'), CATEGORY_A), ['email_invalid']);
    assert.deepEqual(expectedReasons(applyChange(eligible, 'delete'), CATEGORY_A), ['customer_not_found']);
  });

  it('reads its arguments, and names the one that is wrong', () => {
    assert.deepEqual(parseArgs([]), { customers: 5000, json: false, seed: 1, unknownDelivery: 'hold', workers: 2 });
    assert.deepEqual(parseArgs(['20000', '--json', '--seed', '7', '--unknown-delivery', 'resend', '--workers', '3']), {
      customers: 20000,
      json: true,
      seed: 7,
      unknownDelivery: 'resend',
      workers: 3,
    });
    assert.throws(() => parseArgs(['--unknown-delivery', 'maybe']), /^Error: --unknown-delivery must be hold or resend, got "maybe"/);
    assert.throws(() => parseArgs(['--workers', '1']), /^Error: --workers must be a whole number of at least 2, got "1"/);
    assert.throws(() => parseArgs(['--seed']), /^Error: --seed needs a value/);
    assert.throws(() => parseArgs(['--fast']), /^Error: unknown argument "--fast"/);
    assert.throws(() => parseArgs(['0']), /^Error: N must be a whole number of at least 1, got "0"/);
  });
});
