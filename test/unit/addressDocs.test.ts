// docs/campaigns.md publishes the address rule as a table of examples; it must show exactly the examples the rule is
// tested on (test/fixtures/addressExamples.ts).
import assert from 'node:assert/strict';
import { ADDRESS_EXAMPLES, tableRow } from '../fixtures/addressExamples';
import { docSection } from '../support/docs';

const FILE = 'docs/campaigns.md';

describe('docs/campaigns.md: which addresses are valid', () => {
  it('shows exactly the tested examples, in order', () => {
    const section = docSection(FILE, 'Campaign documents');
    const start = section.indexOf('| address | valid | why |');
    assert.ok(start >= 0, `the "Campaign documents" section of ${FILE} has the address table`);
    const rows = section
      .slice(start)
      .split('\n')
      .slice(2)
      .filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')));
    assert.deepEqual(rows, ADDRESS_EXAMPLES.map(tableRow));
  });
});
