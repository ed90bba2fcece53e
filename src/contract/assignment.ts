// Which variant of a split (or which group of a control group) a customer takes. Pure and deterministic: the same
// campaign, action and customer always give the same variant, in the workflow (a replay recomputes it and must agree
// with the history) and outside it (a report, a support question). It reads nothing but its arguments: no clock, no
// randomness, no customer data beyond the external id.
//
// NEVER CHANGE THIS FUNCTION (the hash, the separator, the bucket count, the order in which weights are laid out): a
// change re-assigns customers, so a customer would see variant A in one run and B in the next, a running A/B test would
// mix its groups, and every recorded history of a split would fail to replay.

/** One variant of a split, or one group of a control group, as the run's tree carries it (ActionNode.split). */
export interface SplitVariant {
  /** the variant's name (a split's), or `control` / `target` (a control group's) */
  name: string;
  /** its share of customers, in percent: a whole number; a split's weights sum to 100 */
  weight: number;
  /** the ids of the action's children that run for this variant (may be none) */
  children: string[];
}

/** What a run carries of a split or a control group (ActionNode.split). */
export interface SplitNode {
  variants: SplitVariant[];
}

/** Buckets a customer falls into: a weight of w percent owns w × 100 of them. */
export const ASSIGNMENT_BUCKETS = 10_000;

/** The UTF-8 bytes of `s`, written out here so that the workflow sandbox and Node agree without TextEncoder. */
function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/**
 * FNV-1a (32 bits) over the UTF-8 bytes of campaign id, action id and customer id joined by a NUL byte, then murmur3's
 * fmix32 finaliser: FNV alone spreads ids that differ only in their last characters (c-1, c-2, ...) poorly over the
 * low digits that the bucket takes.
 */
export function assignmentHash(campaignId: string, actionId: string, customerId: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8(`${campaignId}\0${actionId}\0${customerId}`)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The customer's bucket, 0 .. ASSIGNMENT_BUCKETS - 1. */
export function assignmentBucket(campaignId: string, actionId: string, customerId: string): number {
  return assignmentHash(campaignId, actionId, customerId) % ASSIGNMENT_BUCKETS;
}

/**
 * The variant whose buckets hold the customer's: the weights are laid out in document order, weight × 100 buckets
 * each (a weight of 0 owns none). Weights that sum to less than 100 (never, once validated) leave the last buckets to
 * the last variant that has a weight; undefined only when no variant has one.
 */
export function assignVariant<V extends { weight: number }>(
  variants: readonly V[],
  key: { campaignId: string; actionId: string; customerId: string },
): V | undefined {
  const bucket = assignmentBucket(key.campaignId, key.actionId, key.customerId);
  let end = 0;
  for (const v of variants) {
    end += v.weight * (ASSIGNMENT_BUCKETS / 100);
    if (bucket < end) return v;
  }
  return [...variants].reverse().find((v) => v.weight > 0);
}
