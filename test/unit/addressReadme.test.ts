// The README publishes the address rule as a table of examples; it must show exactly the examples the rule is tested on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ADDRESS_EXAMPLES, readmeRow } from '../fixtures/addressExamples';

describe('README: which addresses are valid', () => {
  it('shows exactly the tested examples, in order', () => {
    const readme = readFileSync(path.resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('| address | valid | why |');
    assert.ok(start >= 0, 'the README has the address table');
    const rows = readme
      .slice(start)
      .split('\n')
      .slice(2)
      .filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')));
    assert.deepEqual(rows, ADDRESS_EXAMPLES.map(readmeRow));
  });
});
