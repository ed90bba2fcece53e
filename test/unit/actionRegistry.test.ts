// Every action type of the contract has all its parts (README "Adding an action type"): a settings schema, a workflow
// handler, an activity-side entry and a README example that validates. The three registries are keyed by ActionType,
// so `tsc` already refuses a missing entry; this test also catches what the compiler cannot: a README example.
import assert from 'node:assert/strict';
import { actionTypes } from '../../src/campaigns/registry';
import { validateCampaign, walkActions } from '../../src/campaigns/validate';
import { actionPreparers } from '../../src/activities/actionPreparers';
import { ACTION_TYPES } from '../../src/contract';
import { handlers } from '../../src/workflows/actions';
import { jsonBlocks, readmeSection } from '../support/readme';

/** The categories the README's examples may name (validation checks that a campaign's category exists). */
const ctx = { categoryCodes: new Set(['news']) };

/** A README example as a campaign: a whole campaign stays as it is, a single action is wrapped into one. */
function asCampaign(example: unknown): unknown {
  const isCampaign = typeof example === 'object' && example !== null && 'actions' in example;
  return isCampaign ? example : { id: 'readme-example', name: 'README example', actions: [example] };
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

  describe('README "Action types"', () => {
    const examples = () => jsonBlocks(readmeSection('Action types')).map(asCampaign);

    it('every example is a valid campaign', () => {
      const all = examples();
      assert.ok(all.length > 0, 'the section has JSON examples');
      all.forEach((doc, i) => {
        const r = validateCampaign(doc, ctx);
        assert.ok(
          r.ok,
          `example ${i + 1} of README "Action types" is invalid:\n${r.ok ? '' : r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`,
        );
      });
    });

    for (const type of ACTION_TYPES) {
      it(`has an example of ${type}`, () => {
        const shown = new Set<string>();
        for (const doc of examples()) {
          const r = validateCampaign(doc, ctx);
          if (r.ok) walkActions(r.campaign.actions, (a) => shown.add(a.type));
        }
        assert.ok(shown.has(type), `README "Action types" has no valid example of ${type}`);
      });
    }
  });
});
