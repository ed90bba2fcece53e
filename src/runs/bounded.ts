// Many calls to a server, a few at a time: a client that starts or waits for thousands of runs at once opens as many
// requests, and the Temporal server refuses past its limits (RESOURCE_EXHAUSTED) instead of queueing them.

/**
 * Calls `fn` for every item, at most `concurrency` at a time; the results come back in the items' order. `shouldStop`,
 * checked before each call, stops calling (the items not reached are left empty in the result).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  shouldStop?: () => boolean,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length && !shouldStop?.()) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, lane));
  return out;
}
