import assert from 'node:assert/strict';
import { findJsonError, MAX_JSON_DEPTH, parseJsonText } from '../../src/campaigns/load';

describe('campaign file JSON syntax errors', () => {
  const cases: [string, string][] = [
    ['{\n  "id": "x",\n  "name": oops\n}', 'f.json: line 3, column 11: not valid JSON (unexpected "o")'],
    ['{"a": 1,}', 'f.json: line 1, column 9: not valid JSON (unexpected "}")'],
    ['{"a": [1, 2', 'f.json: line 1, column 12: not valid JSON (unexpected end of file)'],
    ['{"a": "tab\there"}', 'f.json: line 1, column 11: not valid JSON (unexpected "\\t")'],
    ['{"a": 1} x', 'f.json: line 1, column 10: not valid JSON (unexpected "x")'],
    ['{"a": 01}', 'f.json: line 1, column 8: not valid JSON (unexpected "1")'],
    ['{\r\n  "a": "\\x"\r\n}', 'f.json: line 2, column 10: not valid JSON (unexpected "x")'],
    ['{"a": "unterminated', 'f.json: line 1, column 20: not valid JSON (unexpected end of file)'],
    ['{"a" 1}', 'f.json: line 1, column 6: not valid JSON (unexpected "1")'],
    ['[tru]', 'f.json: line 1, column 5: not valid JSON (unexpected "]")'],
    ['[1.]', 'f.json: line 1, column 4: not valid JSON (unexpected "]")'],
    ['\ufeff{}', 'f.json: line 1, column 1: not valid JSON (unexpected "\\ufeff")'],
    ['', 'f.json: line 1, column 1: not valid JSON (unexpected end of file)'],
  ];
  for (const [text, message] of cases) {
    it(`locates the error in ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseJsonText(text, 'f.json'), { message });
    });
  }
  it('parses valid JSON', () => assert.deepEqual(parseJsonText('{"a": [1, "b", null, true]}', 'f.json'), { a: [1, 'b', null, true] }));

  it('an unclosed array nested 100,000 deep is refused at the depth limit, with its position', () => {
    assert.equal(MAX_JSON_DEPTH, 128);
    assert.throws(() => parseJsonText('['.repeat(100_000), 'f.json'), {
      message: 'f.json: line 1, column 129: too deeply nested (more than 128 levels of arrays and objects)',
    });
  });

  it('deeply nested bad JSON past the old recursion limit is reported where the nesting goes over the limit', () => {
    const text = '{"actions":\n' + '['.repeat(50_000) + '1,}';
    assert.throws(() => parseJsonText(text, 'f.json'), {
      message: 'f.json: line 2, column 128: too deeply nested (more than 128 levels of arrays and objects)',
    });
  });

  it('a valid document deeper than the limit is refused too', () => {
    const text = '{"a":\n' + '['.repeat(200) + ']'.repeat(200) + '}';
    assert.doesNotThrow(() => JSON.parse(text));
    assert.throws(() => parseJsonText(text, 'f.json'), {
      message: 'f.json: line 2, column 128: too deeply nested (more than 128 levels of arrays and objects)',
    });
  });

  it('a syntax error under nesting within the limit is reported at its line and column', () => {
    const text = '{\n "a":\n' + '['.repeat(127) + '\n  1,}';
    assert.throws(() => parseJsonText(text, 'f.json'), { message: 'f.json: line 4, column 5: not valid JSON (unexpected "}")' });
    const ok = '[' + '{"a":['.repeat(63) + ']}'.repeat(63) + ']';
    assert.doesNotThrow(() => parseJsonText(ok, 'f.json'), '128 levels are allowed');
  });

  it('the scanner agrees with JSON.parse on every generated text (so no error falls back to a made-up position)', () => {
    const tokens = [
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"a"',
      '"',
      '1',
      '-',
      '0',
      '.',
      'e',
      '+',
      'true',
      'nul',
      ' ',
      '\n',
      '\\',
      '"\\u12"',
      '"\\u00e9"',
      'x',
      '"\\n"',
      '01',
      '1e5',
      '"\t"',
      '-0.5E-3',
    ];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 50_000; n++) {
      const len = 1 + (next() % 9);
      let text = '';
      for (let k = 0; k < len; k++) text += tokens[next() % tokens.length];
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      const found = findJsonError(text);
      assert.equal(
        found === null,
        parses,
        `${JSON.stringify(text)}: JSON.parse ${parses ? 'accepts' : 'refuses'} it, the scanner ${found ? `refuses it at ${found.offset}` : 'accepts it'}`,
      );
    }
  });
});
