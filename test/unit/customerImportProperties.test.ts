// Property tests of reading and checking an import file, without the database (that is
// test/e2e/importProperties.test.ts): for any bytes, however a stream cuts them into chunks, every line is read and
// numbered, every error names a line of the file in one printable line, and the answer does not depend on the chunks.
// Each case runs in a worker thread under a deadline (test/support/sandbox.ts).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { importFile, validImportFile } from '../support/arbitraries/customers';
import { CASE_DEADLINE_MS, assertOneLine, runs } from '../support/properties';
import { Sandbox } from '../support/sandbox';
import type { LinesChecked } from '../support/sandboxWorker';

const CATEGORIES: [string, boolean][] = [
  ['news', true],
  ['service', false],
];

/** Lines in a file as the importer numbers them: a last line without a newline counts, an empty last one does not. */
function lineCount(bytes: Uint8Array): number {
  const b = Buffer.from(bytes);
  let n = 0;
  for (let k = b.indexOf(0x0a); k !== -1; k = b.indexOf(0x0a, k + 1)) n++;
  return b.length > 0 && b[b.length - 1] !== 0x0a ? n + 1 : n;
}

describe('customer import properties (lines)', function () {
  this.timeout(300_000);
  const sandbox = new Sandbox();
  before(() => sandbox.call('checkTemplate', 'warm up', 60_000));
  after(() => sandbox.close());

  async function check(bytes: Uint8Array, chunkSizes: number[]): Promise<LinesChecked> {
    const r = await sandbox.call('customerText', { bytes, chunkSizes, categories: CATEGORIES }, CASE_DEADLINE_MS);
    assert.ok(r.ok, `reading the file threw ${r.ok ? '' : `${r.name}: ${r.message}\n${r.stack}`}`);
    return r.value;
  }

  it('any bytes: every line numbered, errors on one printable line each, whatever the chunks (400 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        importFile(),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }),
        async (bytes, sizes) => {
          const whole = await check(bytes, [bytes.length]);
          const n = lineCount(bytes);
          assert.deepEqual(
            whole.lines,
            Array.from({ length: n }, (_, i) => i + 1),
            'every line is read, in order',
          );
          for (const e of whole.errors) {
            assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= n, `error on line ${e.line} of ${n}`);
            assertOneLine(e.message, `line ${e.line}`);
            if (e.field !== null) assertOneLine(e.field, `field of line ${e.line}`, 200);
          }
          assert.deepEqual(await check(bytes, sizes), whole, 'the same answer however the bytes arrive');
        },
      ),
      runs(400),
    );
  });

  it('a file of valid lines has no error and every customer (200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(validImportFile(), async (bytes) => {
        const r = await check(bytes, [7, 64]);
        assert.deepEqual(r.errors, []);
        assert.equal(r.customers.length, lineCount(bytes));
      }),
      runs(200),
    );
  });
});
