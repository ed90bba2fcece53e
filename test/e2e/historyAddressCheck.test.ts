// The suite-wide check (test/support/run.ts) must bite: an address in a workflow input, which a history stores as a
// base64 payload, is found.
import assert from 'node:assert/strict';
import { testEnv } from '../support/env';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { eventually, importLines, uid } from '../support/harness';
import { scanHistories, testDataAddresses } from '../support/historyAddresses';

describe('the history address check', function () {
  it('finds a customer address held in a workflow input (a base64 payload)', async () => {
    const env = testEnv();
    const id = uid('probe');
    const address = `${id}.Lee@Example.org`;
    await importLines([{ id, email: address, emailSubscribed: true }]);
    // No worker polls this queue: the run stays open with its input in the WorkflowExecutionStarted event.
    const workflowId = uid('address-probe');
    const handle = await env.client.workflow.start('campaignRun', {
      taskQueue: uid('nobody-polls'),
      workflowId,
      args: [{ note: `send to ${address}` }],
    });
    try {
      const rawJson = historyToJSON(await handle.fetchHistory()).toLowerCase();
      assert.ok(!rawJson.includes(address.toLowerCase()), 'the address is not in the plain JSON: only decoding finds it');

      const addresses = await testDataAddresses(env.db, env.fake);
      assert.ok(addresses.includes(address.toLowerCase()), "the customer's address is part of the test data searched");
      const report = await eventually(
        () => scanHistories(env.client, addresses, `WorkflowId = "${workflowId}"`),
        (r) => r.histories > 0,
      );
      assert.deepEqual(
        report.hits.map((h) => [h.workflowId, h.eventType, h.address]),
        [[workflowId, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', address.toLowerCase()]],
      );
    } finally {
      // The dev server keeps a deleted execution's history for a long while, so the probe's address leaves the test
      // data instead: the suite-wide check then does not look for it.
      await handle.terminate('address probe done');
      await env.db('customers').where({ external_id: id }).delete();
    }
  });
});
