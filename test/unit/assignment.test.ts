// The split's assignment (src/contract/assignment.ts): the same campaign, action and customer always take the same
// variant; over many customers each variant's share is its weight; a weight of 0 takes nobody. The pinned figures guard
// the function itself: a change to it re-assigns customers, so it must fail here first.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ASSIGNMENT_BUCKETS, assignmentBucket, assignmentHash, assignVariant } from '../../src/contract';

const key = (customerId: string, actionId = 'ab', campaignId = 'welcome') => ({ campaignId, actionId, customerId });
const ids = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);

function shares(variants: { name: string; weight: number }[], actionId = 'ab'): Map<string, number> {
  const n = new Map(variants.map((v) => [v.name, 0]));
  for (const id of ids) {
    const v = assignVariant(variants, key(id, actionId))!;
    n.set(v.name, n.get(v.name)! + 1);
  }
  return n;
}

describe('split assignment', () => {
  it('is pinned: FNV-1a over the ids joined by NUL, then fmix32 (changing it re-assigns customers)', () => {
    const fnv = (bytes: number[]) => bytes.reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    const fmix = (h: number) => {
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    assert.equal(assignmentHash('a', 'b', 'c'), fmix(fnv([0x61, 0, 0x62, 0, 0x63])));
    // UTF-8, not UTF-16: "é" is two bytes, "😀" four.
    assert.equal(assignmentHash('é', '', '😀'), fmix(fnv([0xc3, 0xa9, 0, 0, 0xf0, 0x9f, 0x98, 0x80])));
    // Pinned figures: recorded once, never to change.
    assert.equal(assignmentHash('a', 'b', 'c'), 2992054786);
    assert.deepEqual(
      ['c-1', 'c-2', 'c-3', 'c-4'].map((c) => assignmentBucket('welcome', 'ab', c)),
      [3693, 1616, 54, 2593],
    );
  });

  it('the same inputs give the same variant; another action or campaign draws anew', () => {
    const variants = [
      { name: 'A', weight: 50 },
      { name: 'B', weight: 50 },
    ];
    for (const id of ids.slice(0, 200)) assert.equal(assignVariant(variants, key(id))!.name, assignVariant(variants, key(id))!.name);
    const differ = (other: (id: string) => ReturnType<typeof key>) =>
      ids.slice(0, 1000).filter((id) => assignVariant(variants, key(id))!.name !== assignVariant(variants, other(id))!.name).length;
    // independent draws of a 50/50 split disagree about half the time
    assert.ok(Math.abs(differ((id) => key(id, 'other')) - 500) < 80);
    assert.ok(Math.abs(differ((id) => key(id, 'ab', 'other')) - 500) < 80);
  });

  for (const weights of [
    [50, 50],
    [10, 90],
    [20, 30, 50],
    [1, 24, 25, 25, 25],
  ])
    it(`over 10,000 customers the shares are within 2 points of the weights ${weights.join('/')}`, () => {
      const variants = weights.map((weight, i) => ({ name: `v${i}`, weight }));
      const n = shares(variants);
      for (const v of variants) {
        const share = (100 * n.get(v.name)!) / ids.length;
        assert.ok(Math.abs(share - v.weight) <= 2, `${v.name}: ${share} % for a weight of ${v.weight}`);
      }
    });

  it('a weight of 0 takes nobody (a control group of 0 %), and 100 takes everyone', () => {
    const n = shares([
      { name: 'control', weight: 0 },
      { name: 'target', weight: 100 },
    ]);
    assert.equal(n.get('control'), 0);
    assert.equal(n.get('target'), ids.length);
  });

  it('property: any weights summing to 100 give each customer one variant with weight, the same every time', () => {
    const weightsArb = fc
      .array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 4 })
      .map((ws) => [...ws, 100 - ws.reduce((a, b) => a + b, 0)])
      .filter((ws) => ws.every((w) => w >= 0));
    fc.assert(
      fc.property(weightsArb, fc.string(), fc.string(), fc.string(), (ws, campaignId, actionId, customerId) => {
        const variants = ws.map((weight, i) => ({ name: `v${i}`, weight }));
        const v = assignVariant(variants, { campaignId, actionId, customerId });
        assert.ok(v && v.weight > 0);
        assert.equal(assignVariant(variants, { campaignId, actionId, customerId }), v);
        const b = assignmentBucket(campaignId, actionId, customerId);
        assert.ok(b >= 0 && b < ASSIGNMENT_BUCKETS && Number.isInteger(b));
        // the bucket falls in the variant's own range, laid out in document order
        const start = variants.slice(0, variants.indexOf(v)).reduce((n, x) => n + x.weight * 100, 0);
        assert.ok(b >= start && b < start + v.weight * 100);
      }),
    );
  });
});
