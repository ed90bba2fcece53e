// The words every text output (the CLI's run lines, the demo, `why`) gives an outcome: a split's variant included.
import assert from 'node:assert/strict';
import { describeOutcome } from '../../src/contract';

describe('describeOutcome', () => {
  it("names a Split's variant and a Control group's group, and a check's status as before", () => {
    assert.equal(describeOutcome({ status: 'done', variant: 'B' }), 'done: variant B');
    assert.equal(describeOutcome({ status: 'done', variant: 'control' }), 'done: variant control');
    assert.equal(describeOutcome({ status: 'done', emailStatus: 'clicked' }), 'done: clicked');
    assert.equal(describeOutcome({ status: 'done' }), 'done');
  });
});
