// The chaos run's watch for a dev server whose SQLite store answers only "interrupted (9)" (bench/chaos/wedge.ts).
import { strict as assert } from 'node:assert';
import { errorText, isSqliteInterrupt, WedgeWatch } from '../../bench/chaos/wedge';

/** As the client throws it: its own message, the server's text in the cause. */
const clientError = (serverText: string) => new Error('Failed to count workflows', { cause: new Error(`14 UNAVAILABLE: ${serverText}`) });

describe('chaos: a dev server whose SQLite store is interrupted', () => {
  it("finds the store's words in an error's causes, in each form the server gives them", () => {
    assert.ok(isSqliteInterrupt(clientError('CountWorkflowExecutions operation failed. Query failed: interrupted (9)')));
    assert.ok(isSqliteInterrupt(clientError('GetNamespace operation failed. Error interrupted (9)')));
    assert.ok(!isSqliteInterrupt(clientError('shard status unknown')));
    assert.ok(!isSqliteInterrupt(clientError('No connection established')), 'a server restarting is not a wedge');
    assert.ok(!isSqliteInterrupt(undefined));
    assert.equal(errorText(clientError('x')), 'Failed to count workflows: 14 UNAVAILABLE: x');
  });

  it('calls it a wedge only after every call for 20 s failed with it', () => {
    const w = new WedgeWatch(20_000);
    const interrupted = clientError('Query failed: interrupted (9)');
    assert.equal(w.observe(0, interrupted), false);
    assert.equal(w.observe(19_999, interrupted), false);
    assert.equal(w.observe(20_000, interrupted), true);
    w.reset();
    assert.equal(w.observe(21_000, interrupted), false, 'counted again after a restart');
  });

  it('starts again when a call answers or fails otherwise (a planned restart)', () => {
    const w = new WedgeWatch(20_000);
    const interrupted = clientError('Query failed: interrupted (9)');
    w.observe(0, interrupted);
    w.observe(10_000, undefined);
    assert.equal(w.observe(25_000, interrupted), false);
    w.observe(30_000, clientError('No connection established'));
    assert.equal(w.observe(44_000, interrupted), false);
    assert.equal(w.observe(64_000, interrupted), true);
  });
});
