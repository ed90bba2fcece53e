// The campaign goal ($.goal: the customer gets a tag within N days of entering a variant): accepted as given, and every
// problem one error naming its path, alongside the document's other errors.
import assert from 'node:assert/strict';
import { validateCampaign, type ValidationError } from '../../src/campaigns/validate';

const ctx = { categoryCodes: new Set<string>() };
const doc = (goal: unknown, actions: unknown[] = []) => ({ id: 'c', name: 'C', goal, actions });

function errorsOf(d: unknown): [string, string][] {
  const r = validateCampaign(d, ctx);
  assert.equal(r.ok, false, 'expected the campaign to be invalid');
  return r.ok ? [] : r.errors.map((e: ValidationError) => [e.path, e.message]);
}

describe('campaign goal validation', () => {
  it('accepts a tag in Set tag’s format and 1 to 90 days, and keeps it', () => {
    for (const goal of [
      { tag: 'bought', withinDays: 1 },
      { tag: 'vip:gold.2026', withinDays: 90 },
    ]) {
      const r = validateCampaign(doc(goal), ctx);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.campaign.goal, goal);
    }
    const none = validateCampaign({ id: 'c', name: 'C', actions: [] }, ctx);
    assert.ok(none.ok && none.campaign.goal === undefined, 'a goal is optional');
  });

  it('one clear error per problem, naming the path', () => {
    const cases: [unknown, [string, RegExp][]][] = [
      [{ tag: 'bought', withinDays: 0 }, [['$.goal.withinDays', /^must be at least 1$/]]],
      [{ tag: 'bought', withinDays: 91 }, [['$.goal.withinDays', /^must be at most 90$/]]],
      [{ tag: 'bought', withinDays: 2.5 }, [['$.goal.withinDays', /^must be a whole number of days$/]]],
      [{ tag: 'bought', withinDays: '7' }, [['$.goal.withinDays', /^must be a number of days$/]]],
      [{ tag: 'bought' }, [['$.goal.withinDays', /^is required$/]]],
      [{ withinDays: 7 }, [['$.goal.tag', /^is required$/]]],
      [{ tag: 'two words', withinDays: 7 }, [['$.goal.tag', /^must be 1-64 characters: letters, digits, _ : \. -$/]]],
      [{ tag: '', withinDays: 7 }, [['$.goal.tag', /^must be 1-64 characters/]]],
      [{ tag: 'x'.repeat(65), withinDays: 7 }, [['$.goal.tag', /^must be 1-64 characters/]]],
      [{ tag: 'bought', withinDays: 7, days: 3 }, [['$.goal.days', /^unknown key "days"$/]]],
      ['bought', [['$.goal', /^must be an object: \{ "tag": \.\.\., "withinDays": \.\.\. \}$/]]],
      [null, [['$.goal', /^must be an object/]]],
      [
        { tag: 'no good', withinDays: 0 },
        [
          ['$.goal.tag', /must be 1-64 characters/],
          ['$.goal.withinDays', /at least 1/],
        ],
      ],
    ];
    for (const [goal, want] of cases) {
      const got = errorsOf(doc(goal));
      assert.deepEqual(
        got.map(([p]) => p),
        want.map(([p]) => p),
        `${JSON.stringify(goal)}: ${JSON.stringify(got)}`,
      );
      want.forEach(([, re], i) => assert.match(got[i][1], re, JSON.stringify(goal)));
    }
  });

  it("a bad goal does not hide the actions' errors", () => {
    const got = errorsOf(doc({ tag: 'bought', withinDays: 0 }, [{ id: 't', type: 'setTag', settings: { tag: '' } }]));
    assert.deepEqual(
      got.map(([p]) => p),
      ['$.goal.withinDays', '$.actions[0].settings.tag'],
    );
  });
});
