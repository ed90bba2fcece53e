// Waiting for many runs' results (`campaign-runner run --wait`, the demo): a bounded number of long polls at a time,
// never one per run, since the server refuses past its namespace's concurrent poller limit (issue 28).
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { RESULT_WAITS_AT_ONCE, runResults } from '../../src/runs/start';
import { mapBounded } from '../../src/runs/bounded';

/** A client whose result() calls resolve in a shuffled order, counting how many are open at once. */
function countingClient() {
  let open = 0;
  let peak = 0;
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        async result() {
          open++;
          peak = Math.max(peak, open);
          await new Promise((r) => setTimeout(r, (workflowId.length * 7 + Number(workflowId.slice(4))) % 5));
          open--;
          return { customerId: workflowId, actions: [] };
        },
      }),
    },
  } as unknown as Client;
  return { client, peak: () => peak };
}

describe('waiting for many run results', () => {
  it('keeps at most RESULT_WAITS_AT_ONCE waits open and returns the results in the order of the ids', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => `run-${i}`);
    const c = countingClient();
    const results = await runResults(c.client, ids);
    assert.deepEqual(
      results.map((r) => r.customerId),
      ids,
    );
    assert.equal(c.peak(), RESULT_WAITS_AT_ONCE);
    assert.ok(RESULT_WAITS_AT_ONCE <= 100, 'far below the server limit of 1,200 concurrent polls a namespace');
  });

  it('mapBounded stops calling once shouldStop says so, and leaves the rest empty', async () => {
    let calls = 0;
    const out = await mapBounded(
      [1, 2, 3, 4, 5],
      2,
      async (n) => (calls++, n * 10),
      () => calls >= 3,
    );
    assert.equal(calls, 3);
    assert.deepEqual(out.slice(0, 3), [10, 20, 30]);
    assert.equal(out[3], undefined);
  });
});
