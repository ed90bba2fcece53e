// The history address check searches every history for every address of the test data; a chaos run has tens of thousands
// of both, so the search is indexed. It must find exactly what a plain substring search finds.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { addressFinder } from '../support/historyAddresses';

/** The plain search the finder must agree with. */
const naive = (addresses: string[], text: string) => [...new Set(addresses)].filter((a) => text.includes(a)).sort();

describe('addressFinder', () => {
  it('finds addresses anywhere in a text: at its ends, repeated, overlapping, with several @ or none', () => {
    const addresses = [
      'a@b.co',
      'xa@b.co',
      'mbx000001@chaos.example.com',
      'no-at-sign',
      'two@@signs.example.com',
      '@lead.example',
      'tail@',
    ];
    const find = addressFinder(addresses);
    const texts = [
      'a@b.co',
      'prefix xa@b.co suffix',
      '{"to":"mbx000001@chaos.example.com","again":"mbx000001@chaos.example.com"}',
      'it says no-at-sign here',
      'two@@signs.example.com',
      'x@lead.example tail@',
      'mbx000001@chaos.example.co', // one character short
      'nothing at all',
    ];
    for (const t of texts) assert.deepEqual(find(t).sort(), naive(addresses, t), t);
  });

  it('agrees with a plain substring search on random texts built from the addresses', () => {
    const chars = fc.constantFrom('a', 'b', '@', '.', 'x', ' ');
    const word = fc.string({ unit: chars, minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 12 }),
        fc.array(fc.oneof(word, chars), { maxLength: 30 }),
        (addresses, parts) => {
          const text = parts.join('');
          assert.deepEqual(addressFinder(addresses)(text).sort(), naive(addresses, text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is far faster than a plain search with 100,000 addresses (measured side by side, so a loaded machine slows both)', () => {
    const addresses = Array.from({ length: 100_000 }, (_, i) => `mbx${String(i).padStart(6, '0')}@chaos.example.com`);
    const find = addressFinder(addresses);
    const text = `${'{"eventType":"EVENT_TYPE_ACTIVITY_TASK_COMPLETED","payload":"eyJzdGF0dXMiOiJzZW50In0="}'.repeat(20)} mbx012345@chaos.example.com`;
    /** ns a search takes, on average over `n` */
    const time = (n: number, f: () => void) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      return Number(process.hrtime.bigint() - started) / n;
    };
    const indexed = time(50, () => assert.deepEqual(find(text), ['mbx012345@chaos.example.com']));
    const plain = time(3, () => assert.deepEqual(naive(addresses, text), ['mbx012345@chaos.example.com']));
    assert.ok(indexed * 10 < plain, `indexed ${(indexed / 1e6).toFixed(1)} ms, plain ${(plain / 1e6).toFixed(1)} ms`);
  });
});
