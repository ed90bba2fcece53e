// Every action type of the contract is one module (src/actions/<type>/) with all its parts (docs/campaigns.md, "Adding
// an action type"): a definition, a workflow handler, an entry among the activities, and a section of docs/campaigns.md
// with an example that validates. The three registries are keyed by ActionType, so `tsc` already refuses a missing
// entry; this test also catches what the compiler cannot: the documented examples. Every JSON example of
// docs/campaigns.md and README.md must be a valid campaign or action.
import assert from 'node:assert/strict';
import { actionDefinitions } from '../../src/actions';
import { actionActivities } from '../../src/actions/activities';
import { handlers } from '../../src/actions/workflows';
import { validateCampaign, walkActions } from '../../src/campaigns/validate';
import { ACTION_TYPES } from '../../src/contract';
import { docSection, docText, jsonBlocks } from '../support/docs';

/** The categories the documented examples may name (validation checks that a campaign's category exists). */
const ctx = { categoryCodes: new Set(['news']) };

/** A documented example as a campaign: a whole campaign stays as it is, a single action is wrapped into one. */
function asCampaign(example: unknown): unknown {
  const isCampaign = typeof example === 'object' && example !== null && 'actions' in example;
  return isCampaign ? example : { id: 'docs-example', name: 'Documented example', actions: [example] };
}

/** Asserts that every example is a valid campaign, naming the first invalid one with its errors. */
function assertValid(examples: unknown[], where: string): void {
  assert.ok(examples.length > 0, `${where} has JSON examples`);
  examples.forEach((doc, i) => {
    const r = validateCampaign(doc, ctx);
    assert.ok(r.ok, `example ${i + 1} of ${where} is invalid:\n${r.ok ? '' : r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  });
}

/** The `### ` subsection of `text` with this heading, up to the next heading of that level or above. */
function subsection(text: string, heading: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.indexOf(`### ${heading}`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^#{1,3} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

describe('action type registry', () => {
  for (const type of ACTION_TYPES) {
    it(`${type} has a definition (src/actions/index.ts)`, () => {
      assert.equal(typeof actionDefinitions[type]?.settingsSchema, 'function');
      assert.ok(actionDefinitions[type].title, 'a title');
    });

    it(`${type} has a workflow handler (src/actions/workflows.ts)`, () => {
      assert.equal(typeof handlers[type], 'function');
    });

    it(`${type} has an entry among the activities (src/actions/activities.ts)`, () => {
      assert.equal(typeof actionActivities[type], 'function');
    });
  }

  it('no registry holds a type the contract does not list', () => {
    for (const [name, registry] of Object.entries({ actionDefinitions, handlers, actionActivities })) {
      assert.deepEqual(Object.keys(registry).sort(), [...ACTION_TYPES].sort(), name);
    }
  });

  describe('docs/campaigns.md "Action types"', () => {
    const FILE = 'docs/campaigns.md';

    for (const type of ACTION_TYPES) {
      it(`has a section on ${type} with an example of it`, () => {
        const heading = `\`${type}\`: ${actionDefinitions[type].title}`;
        const text = subsection(docSection(FILE, 'Action types'), heading);
        assert.ok(text !== undefined, `${FILE} "Action types" has no "### ${heading}"`);
        const shown = new Set<string>();
        for (const doc of jsonBlocks(text, FILE).map(asCampaign)) {
          const r = validateCampaign(doc, ctx);
          if (r.ok) walkActions(r.campaign.actions, (a) => shown.add(a.type));
        }
        assert.ok(shown.has(type), `${FILE} "### ${heading}" has no valid example of ${type}`);
      });
    }
  });

  // The examples' validity, the Action types section's included.
  describe('documented campaign examples', () => {
    for (const file of ['docs/campaigns.md', 'README.md']) {
      it(`every JSON example of ${file} is a valid campaign or action`, () => {
        assertValid(jsonBlocks(docText(file), file).map(asCampaign), file);
      });
    }
  });
});
