// What a user wrote, quoted in an error message: one short printable line whatever it held.
import assert from 'node:assert/strict';
import { parseJsonText } from '../../src/campaigns/load';
import { printable, quote } from '../../src/email/quote';

describe('quoting input in messages', () => {
  it('escapes quotes, controls, separators, direction overrides and unpaired surrogates, and cuts long text', () => {
    assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(quote('\u0000\n\r\t\u0085\u2028\u2029\u202e\u200b\ufeff'), '"\\u0000\\n\\r\\t\\u0085\\u2028\\u2029\\u202e\\u200b\\ufeff"');
    assert.equal(quote('\ud800x\udc00'), '"\\ud800x\\udc00"');
    assert.equal(quote('😀 é 中'), '"😀 é 中"', 'printable characters stay');
    assert.equal(quote('x'.repeat(50)), `"${'x'.repeat(40)}…"`);
    assert.equal(quote('😀'.repeat(30)), `"${'😀'.repeat(20)}…"`);
    assert.equal(quote(`${'x'.repeat(39)}😀`), `"${'x'.repeat(39)}\\ud83d…"`, 'a pair cut in two is escaped');
    assert.equal(printable('tag "{% if\nx" not closed'), 'tag "{% if\\nx" not closed');
  });

  it('names the unexpected character of a JSON file printably, whole when it is outside the BMP', () => {
    assert.throws(() => parseJsonText('{"a": 1}\u2028', 'f.json'), {
      message: 'f.json: line 1, column 9: not valid JSON (unexpected "\\u2028")',
    });
    assert.throws(() => parseJsonText('\u0085', 'f.json'), { message: 'f.json: line 1, column 1: not valid JSON (unexpected "\\u0085")' });
    assert.throws(() => parseJsonText('[😀]', 'f.json'), { message: 'f.json: line 1, column 2: not valid JSON (unexpected "😀")' });
    assert.throws(() => parseJsonText('\ud800', 'f.json'), { message: 'f.json: line 1, column 1: not valid JSON (unexpected "\\ud800")' });
  });
});
