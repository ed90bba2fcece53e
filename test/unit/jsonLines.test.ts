import assert from 'node:assert/strict';
import { readLines, type RawLine } from '../../src/db/jsonLines';

async function lines(chunks: (string | Buffer)[], max = 16): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const l of readLines(
    (async function* () {
      yield* chunks;
    })(),
    max,
  ))
    out.push(l);
  return out;
}

describe('JSON Lines reader (bounded lines)', () => {
  it('numbers lines across chunks, with LF or CRLF endings and a last line without a newline', async () => {
    assert.deepEqual(await lines(['ab', 'c\r', '\n\nd', 'e\r\nf']), [
      { line: 1, text: 'abc' },
      { line: 2, text: '' },
      { line: 3, text: 'de' },
      { line: 4, text: 'f' },
    ]);
    assert.deepEqual(await lines(['a\n']), [{ line: 1, text: 'a' }]);
    assert.deepEqual(await lines([]), []);
  });

  it('decodes a character whose bytes straddle two chunks', async () => {
    const bytes = Buffer.from('zoé\n€x');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    assert.deepEqual(await lines(chunks), [
      { line: 1, text: 'zoé' },
      { line: 2, text: '€x' },
    ]);
  });

  it('refuses a line over the limit without keeping it, and goes on with the next line', async () => {
    const out = await lines(['0123456789', '0123456789', '0123\nok\n', '0123456789012345\r\n', '01234567890123456'], 16);
    assert.deepEqual(out, [
      { line: 1, error: 'line is longer than 16 bytes' },
      { line: 2, text: 'ok' },
      { line: 3, text: '0123456789012345' },
      { line: 4, error: 'line is longer than 16 bytes' },
    ]);
  });

  it('refuses bytes that are not UTF-8, and drops a byte order mark at the start only', async () => {
    assert.deepEqual(await lines([Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x0a, 0xc3, 0x28, 0x0a, 0xef, 0xbb, 0xbf, 0x62])]), [
      { line: 1, text: 'a' },
      { line: 2, error: 'not valid UTF-8' },
      { line: 3, text: '\ufeffb' },
    ]);
  });
});
