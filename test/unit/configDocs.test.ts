// The configuration table (docs/configuration.md) and ENV_SCHEMA (src/config.ts) name the same variables with the same
// defaults: an operator reads the table, the code reads the schema.
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ENV_NAMES, ENV_SCHEMA } from '../../src/config';
import { docSection, markdownTableRows } from '../support/docs';

const FILE = 'docs/configuration.md';

/** Read by glibc in every worker process, not by our code, so not in ENV_SCHEMA; the table still documents it. */
const NOT_OURS = ['MALLOC_ARENA_MAX'];

interface Row {
  name: string;
  defaultCell: string;
  usedBy: string;
}

function tableRows(): Row[] {
  const rows = markdownTableRows(docSection(FILE, 'Variables'));
  assert.ok(rows.length > 0, `the "Variables" section of ${FILE} has a table`);
  return rows.flatMap(([names, defaultCell = '', usedBy = '']) => {
    const found = [...names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]);
    assert.ok(found.length > 0, `a configuration row names no variable: | ${names} |`);
    return found.map((name) => ({ name, defaultCell, usedBy }));
  });
}

/** How the table writes a default: lists comma-separated, everything else as a string. */
function asShown(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

describe('docs/configuration.md: the environment variables table', () => {
  const defaults: Record<string, unknown> = z.object(ENV_SCHEMA).parse({});

  it('lists exactly the variables of ENV_SCHEMA, plus MALLOC_ARENA_MAX, once each', () => {
    const names = tableRows().map((r) => r.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(twice, [], 'variables listed more than once');
    const expected = [...ENV_NAMES, ...NOT_OURS];
    assert.deepEqual(
      names.filter((n) => !expected.includes(n)),
      [],
      `in ${FILE} but not in ENV_SCHEMA`,
    );
    assert.deepEqual(
      expected.filter((n) => !names.includes(n)),
      [],
      `in ENV_SCHEMA but not in ${FILE}`,
    );
  });

  it("shows each ENV_SCHEMA default as the row's default", () => {
    for (const { name, defaultCell } of tableRows()) {
      const value = defaults[name];
      const shown = /^`([^`]*)`/.exec(defaultCell)?.[1];
      if (value !== undefined) {
        assert.equal(
          shown,
          asShown(value),
          `${name}: the default cell "${defaultCell}" of ${FILE} should start with \`${asShown(value)}\``,
        );
      } else {
        // No default in the schema: the cell says in words what unset means, it does not show a value as the default.
        assert.ok(shown === undefined || shown.startsWith('<'), `${name} has no default in ENV_SCHEMA, but ${FILE} shows \`${shown}\``);
      }
    }
  });

  it('marks MALLOC_ARENA_MAX as read by glibc, not by this code', () => {
    const row = tableRows().find((r) => r.name === 'MALLOC_ARENA_MAX');
    assert.ok(row, 'MALLOC_ARENA_MAX is in the table');
    assert.match(`${row.defaultCell} ${row.usedBy}`, /glibc/);
  });

  it("states SENDGRID_API_KEY's rule: the fake's key only against a loopback SENDGRID_BASE_URL, otherwise required", () => {
    const row = tableRows().find((r) => r.name === 'SENDGRID_API_KEY');
    assert.ok(row, 'SENDGRID_API_KEY is in the table');
    const text = `${row.defaultCell} ${row.usedBy}`;
    assert.match(text, /SG\.fake-key/);
    assert.match(text, /loopback/);
    assert.match(text, /refuses to start/);
  });
});
