// Waiting for a benchmark's runs to close, at a cost that does not grow with their number.
import type { Client } from '@temporalio/client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the n runs matching `query` closed. A count of the Completed runs asked once a second (as bench.ts did)
 * is a visibility scan over every closed run the store holds: on the dev server here ~13 µs of server CPU a run (137 ms
 * a count at 10,500 runs), growing with N and holding the server's one SQLite connection meanwhile. So: `progress()`, a
 * count this process has for free (the fake's accepted messages, the floor worker's activities), until it reaches n;
 * then the count of the runs still Running, which the store answers from its status index and which is small by then,
 * until 0; then, once, the count of the Completed runs. Returns that count and when the last run closed: the first run
 * listed (visibility lists closed runs newest close first), no later than the moment Running reached 0. Throws when
 * nothing moved for `stallMs`.
 */
export async function waitRunsClosed(
  client: Client,
  query: string,
  n: number,
  progress: () => number | Promise<number>,
  stallMs = 5 * 60_000,
): Promise<{ completed: number; lastClose: number }> {
  let seen = -1,
    movedAt = Date.now();
  const stalled = (value: number, what: string) => {
    if (value !== seen) [seen, movedAt] = [value, Date.now()];
    if (Date.now() - movedAt > stallMs) throw new Error(`${what} stuck at ${value} for ${stallMs / 1000}s (${query})`);
  };
  for (;;) {
    const done = await progress();
    if (done >= n) break;
    stalled(done, `progress towards ${n} runs`);
    await sleep(200);
  }
  seen = -1;
  for (;;) {
    const { count } = await client.workflow.count(`${query} AND ExecutionStatus="Running"`);
    if (count === 0) break;
    stalled(count, 'runs still open');
    await sleep(1000);
  }
  const closedAt = Date.now();
  const completed = `${query} AND ExecutionStatus="Completed"`;
  const { count } = await client.workflow.count(completed);
  for await (const wf of client.workflow.list({ query: completed, pageSize: 1 }))
    return { completed: count, lastClose: Math.min(wf.closeTime?.getTime() ?? closedAt, closedAt) };
  return { completed: count, lastClose: closedAt };
}
