// Every action type of the contract has all its parts (docs/campaigns.md, "Adding an action type"): a settings schema, a
// workflow handler, an activity-side entry and an example in docs/campaigns.md that validates. The three registries are
// keyed by ActionType, so `tsc` already refuses a missing entry; this test also catches what the compiler cannot: the
// documented examples. Every JSON example of docs/campaigns.md and README.md must be a valid campaign or action.
import assert from 'node:assert/strict';
import { actionTypes } from '../../src/campaigns/registry';
import { validateCampaign, walkActions } from '../../src/campaigns/validate';
import { actionPreparers } from '../../src/activities/actionPreparers';
import { ACTION_TYPES } from '../../src/contract';
import { handlers } from '../../src/workflows/actions';
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

describe('action type registry', () => {
  for (const type of ACTION_TYPES) {
    it(`${type} has a settings schema (src/campaigns/registry.ts)`, () => {
      assert.equal(typeof actionTypes[type]?.settingsSchema, 'function');
    });

    it(`${type} has a workflow handler (src/workflows/actions/index.ts)`, () => {
      assert.equal(typeof handlers[type], 'function');
    });

    it(`${type} has an activity-side entry (src/activities/actionPreparers.ts)`, () => {
      assert.equal(typeof actionPreparers[type], 'function');
    });
  }

  it('no registry holds a type the contract does not list', () => {
    for (const [name, registry] of Object.entries({ actionTypes, handlers, actionPreparers })) {
      assert.deepEqual(Object.keys(registry).sort(), [...ACTION_TYPES].sort(), name);
    }
  });

  describe('docs/campaigns.md "Action types"', () => {
    const FILE = 'docs/campaigns.md';
    const examples = () => jsonBlocks(docSection(FILE, 'Action types'), FILE).map(asCampaign);

    for (const type of ACTION_TYPES) {
      it(`has an example of ${type}`, () => {
        const shown = new Set<string>();
        for (const doc of examples()) {
          const r = validateCampaign(doc, ctx);
          if (r.ok) walkActions(r.campaign.actions, (a) => shown.add(a.type));
        }
        assert.ok(shown.has(type), `${FILE} "Action types" has no valid example of ${type}`);
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
