// Split and Control group in campaign validation: their settings (names, weights summing to 100, percent) and their
// place in the tree (the variants, or control and target, share out exactly the action's children). One error per
// problem, each at its JSON path; and the run's tree carries the variants.
import assert from 'node:assert/strict';
import { validateCampaign, type ValidationError } from '../../src/campaigns/validate';
import { actionTree } from '../../src/campaigns/runTree';

const ctx = { categoryCodes: new Set(['news']) };
const tag = (id: string) => ({ id, type: 'setTag', settings: { tag: id }, children: [] });
const split = (variants: unknown, children: unknown[] = [tag('a'), tag('b')]) => ({
  id: 'ab',
  type: 'split',
  settings: { variants },
  children,
});
const control = (settings: unknown, children: unknown[] = [tag('mail')]) => ({ id: 'cg', type: 'controlGroup', settings, children });
const campaign = (actions: unknown[]) => ({ id: 'c', name: 'C', actions });
const AB = () => [
  { name: 'A', weight: 50, children: ['a'] },
  { name: 'B', weight: 50, children: ['b'] },
];

function expectErrors(doc: unknown, expected: Array<[string, RegExp]>): void {
  const r = validateCampaign(doc, ctx);
  assert.equal(r.ok, false, 'expected the campaign to be invalid');
  const got: ValidationError[] = r.ok ? [] : r.errors;
  assert.deepEqual(
    got.map((e) => e.path),
    expected.map(([p]) => p),
    JSON.stringify(got, null, 2),
  );
  expected.forEach(([, re], i) => assert.match(got[i].message, re));
}

const V = '$.actions[0].settings.variants';

describe('split validation', () => {
  it('accepts two variants and the run tree carries them, children defaulting to none', () => {
    const r = validateCampaign(
      campaign([
        split(
          [
            { name: 'A', weight: 30, children: ['a', 'b'] },
            { name: 'holdout', weight: 70 },
          ],
          [tag('a'), tag('b')],
        ),
      ]),
      ctx,
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(actionTree(r.campaign)[0].split, {
      variants: [
        { name: 'A', weight: 30, children: ['a', 'b'] },
        { name: 'holdout', weight: 70, children: [] },
      ],
    });
  });

  it('weights that do not sum to 100: one error at the variants', () => {
    const v = AB();
    v[1].weight = 40;
    expectErrors(campaign([split(v)]), [[V, /^weights sum to 90, must sum to 100$/]]);
  });

  it('a weight out of 1..99 or not whole: at the weight (and no sum error on top)', () => {
    for (const [w, re] of [
      [0, /at least 1/],
      [100, /at most 99/],
      [50.5, /whole number/],
      ['50', /whole number from 1 to 99/],
    ] as const) {
      const v: { name: string; weight: unknown; children: string[] }[] = AB();
      v[1].weight = w;
      expectErrors(campaign([split(v)]), [[`${V}[1].weight`, re]]);
    }
  });

  it('fewer than 2 or more than 5 variants', () => {
    expectErrors(campaign([split([{ name: 'A', weight: 99, children: ['a', 'b'] }])]), [[V, /at least 2 variants/]]);
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `v${i}`, weight: i === 0 ? 50 : 10, children: i < 2 ? [['a', 'b'][i]] : [] }));
    expectErrors(campaign([split(six)]), [[V, /at most 5 variants/]]);
  });

  it('a bad name, a reserved one, and a name used twice (whatever its case)', () => {
    const v: { name: unknown; weight: number; children: string[] }[] = AB();
    v[1].name = 'B c';
    expectErrors(campaign([split(v)]), [[`${V}[1].name`, /1-32 characters: letters, digits, _ and -/]]);
    v[1].name = 'x'.repeat(33);
    expectErrors(campaign([split(v)]), [[`${V}[1].name`, /1-32 characters/]]);
    v[1].name = 'Cancelled';
    expectErrors(campaign([split(v)]), [[`${V}[1].name`, /reserved/]]);
    v[1].name = 'a';
    expectErrors(campaign([split(v)]), [[`${V}[1].name`, /"a" is variants\[0\]'s name too/]]);
  });

  it('a missing or unknown key of a variant, and settings that are not a list', () => {
    expectErrors(
      campaign([
        split([
          { name: 'A', children: ['a'] },
          { name: 'B', weight: 50, children: ['b'], share: 1 },
        ]),
      ]),
      [
        [`${V}[0].weight`, /is required/],
        [`${V}[1].share`, /unknown key "share"/],
      ],
    );
    expectErrors(campaign([split({ A: 50 })]), [[V, /must be a list of variants/]]);
  });

  it('children: an id that is no child, a child in two variants, a child in none', () => {
    const v = AB();
    v[0].children = ['a', 'zz'];
    expectErrors(campaign([split(v)]), [[`${V}[0].children[1]`, /"zz" is not a child of this action \(children: "a", "b"\)/]]);
    const w = AB();
    w[1].children = ['b', 'a'];
    expectErrors(campaign([split(w)]), [[`${V}[1].children[1]`, /"a" is listed at .*variants\[0\]\.children\[0\] too/]]);
    const x = AB();
    x[1].children = [];
    expectErrors(campaign([split(x)]), [[V, /child "b" is in no variant/]]);
  });
});

describe('controlGroup validation', () => {
  it('accepts a percent with target children and builds control and target variants', () => {
    const r = validateCampaign(campaign([control({ percent: 10, target: ['mail'] })]), ctx);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(actionTree(r.campaign)[0].split, {
      variants: [
        { name: 'control', weight: 10, children: [] },
        { name: 'target', weight: 90, children: ['mail'] },
      ],
    });
  });

  it('a percent out of 0..50, not whole, or missing', () => {
    for (const [p, re] of [
      [51, /at most 50/],
      [-1, /at least 0/],
      [2.5, /whole number/],
      [undefined, /is required/],
    ] as const)
      expectErrors(campaign([control({ percent: p, target: ['mail'] })]), [['$.actions[0].settings.percent', re]]);
  });

  it('children: in neither group, in both, or not a child', () => {
    expectErrors(campaign([control({ percent: 10 })]), [['$.actions[0].settings', /child "mail" is in no group \(control or target\)/]]);
    expectErrors(campaign([control({ percent: 10, control: ['mail'], target: ['mail'] })]), [
      ['$.actions[0].settings.target[0]', /"mail" is listed at \$\.actions\[0\]\.settings\.control\[0\] too/],
    ]);
    expectErrors(campaign([control({ percent: 10, target: ['mail', 'nope'] })]), [
      ['$.actions[0].settings.target[1]', /"nope" is not a child/],
    ]);
    expectErrors(campaign([control({ percent: 10, target: 'mail' })]), [['$.actions[0].settings.target', /must be a list of ids/]]);
  });
});
