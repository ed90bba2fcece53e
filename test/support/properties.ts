// Shared settings and assertions of the property tests (test/**/*Properties.test.ts).
import assert from 'node:assert/strict';
import type fc from 'fast-check';

/**
 * Each case's deadline: far above what any case takes when the code is right (the slowest, a 1,000,000-character
 * template, takes well under a second on a loaded 2-core machine), far below what the code took when it was wrong.
 */
export const CASE_DEADLINE_MS = 5_000;

/**
 * Runs per property: enough to meet every generator branch many times, few enough to keep the suite fast. PROPERTY_RUNS
 * overrides the count, PROPERTY_SEED replays a failure's seed, PROPERTY_NO_SHRINK=1 reports the first failure as found.
 */
export function runs(n: number): fc.Parameters<unknown> {
  const env = process.env;
  return {
    numRuns: Number(env.PROPERTY_RUNS) || n,
    ...(env.PROPERTY_SEED ? { seed: Number(env.PROPERTY_SEED) } : {}),
    ...(env.PROPERTY_NO_SHRINK ? { endOnFailure: true } : {}),
  };
}

/** A message a person reads at a terminal: one line, not empty, and short whatever the input held. */
export function assertOneLine(message: string, what: string, maxLength = 400): void {
  assert.ok(message.length > 0, `${what}: empty message`);
  assert.ok(!/[\r\n\u2028\u2029]/.test(message), `${what}: message on several lines: ${JSON.stringify(message.slice(0, 300))}`);
  assert.ok(message.length <= maxLength, `${what}: message of ${message.length} characters: ${JSON.stringify(message.slice(0, 300))}...`);
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(message), `${what}: control characters in ${JSON.stringify(message.slice(0, 300))}`);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The strings Postgres cannot store in text or jsonb: NUL, and UTF-16 that is not well formed (a lone surrogate). */
export function unstorable(s: string): boolean {
  return s.includes('\0') || LONE_SURROGATE.test(s);
}
