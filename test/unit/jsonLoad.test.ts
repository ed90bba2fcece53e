import assert from 'node:assert/strict';
import { parseJsonText } from '../../src/campaigns/load';

describe('campaign file JSON syntax errors', () => {
  const cases: [string, string][] = [
    ['{\n  "id": "x",\n  "name": oops\n}', 'f.json: line 3, column 11: not valid JSON (unexpected "o")'],
    ['{"a": 1,}', 'f.json: line 1, column 9: not valid JSON (unexpected "}")'],
    ['{"a": [1, 2', 'f.json: line 1, column 12: not valid JSON (unexpected end of file)'],
    ['{"a": "tab\there"}', 'f.json: line 1, column 11: not valid JSON (unexpected "\\t")'],
    ['{"a": 1} x', 'f.json: line 1, column 10: not valid JSON (unexpected "x")'],
    ['{"a": 01}', 'f.json: line 1, column 8: not valid JSON (unexpected "1")'],
  ];
  for (const [text, message] of cases) {
    it(`locates the error in ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseJsonText(text, 'f.json'), { message });
    });
  }
  it('parses valid JSON', () => assert.deepEqual(parseJsonText('{"a": [1, "b", null, true]}', 'f.json'), { a: [1, 'b', null, true] }));
});
