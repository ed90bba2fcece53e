// Check e-mail status in campaign validation: its settings, and its place in the tree (the checked e-mail is a Send
// e-mail above it; its branches name exactly its children). Every error carries its JSON path.
import assert from 'node:assert/strict';
import { validateCampaign, type ValidationError } from '../../src/campaigns/validate';
import { actionTree } from '../../src/campaigns/runTree';

const ctx = { categoryCodes: new Set(['news']) };

const email = (id: string, children: unknown[] = []) => ({
  id,
  type: 'sendEmail',
  settings: { from: { email: 'news@shop.example.com' }, subject: 'Hi', html: '<p>Hi</p>' },
  children,
});
const tag = (id: string) => ({ id, type: 'setTag', settings: { tag: 't' }, children: [] });
const check = (settings: unknown, children: unknown[] = [tag('bonus'), tag('reminder')]) => ({
  id: 'check',
  type: 'checkEmailStatus',
  settings,
  children,
});
const good = () => ({
  emailActionId: 'mail',
  waitUpTo: { days: 3 },
  branches: { bonus: ['clicked'], reminder: ['delivered_not_opened', 'opened_not_clicked'] },
});
const campaign = (actions: unknown[]) => ({ id: 'c', name: 'C', actions });

function errors(doc: unknown): ValidationError[] {
  const r = validateCampaign(doc, ctx);
  assert.equal(r.ok, false, 'expected the campaign to be invalid');
  return r.ok ? [] : r.errors;
}

function expectErrors(doc: unknown, expected: Array<[string, RegExp]>): void {
  const got = errors(doc);
  assert.deepEqual(
    got.map((e) => e.path),
    expected.map(([p]) => p),
    JSON.stringify(got, null, 2),
  );
  expected.forEach(([, re], i) => assert.match(got[i].message, re));
}

describe('checkEmailStatus validation', () => {
  it('accepts a check below its e-mail (through a Wait), and the run input carries its e-mail, wait and branches', () => {
    const doc = campaign([email('mail', [{ id: 'pause', type: 'wait', settings: { duration: { days: 3 } }, children: [check(good())] }])]);
    const r = validateCampaign(doc, ctx);
    assert.ok(r.ok, JSON.stringify(r));
    const node = actionTree(r.campaign)[0].children[0].children[0];
    assert.deepEqual(node.emailCheck, good());
  });

  it('accepts a check without waitUpTo (decides at once) and a status no child takes', () => {
    const r = validateCampaign(
      campaign([email('mail', [check({ emailActionId: 'mail', branches: { bonus: ['clicked'] } }, [tag('bonus')])])]),
      ctx,
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(actionTree(r.campaign)[0].children[0].emailCheck, { emailActionId: 'mail', branches: { bonus: ['clicked'] } });
  });

  it('refuses an e-mail action that is not above the check: a sibling, a later one, one that does not exist', () => {
    const p = '$.actions[1].settings.emailActionId';
    expectErrors(campaign([email('mail'), check(good())]), [
      [p, /must name a Send e-mail action above this one \(above it: nothing\); got "mail"/],
    ]);
    expectErrors(campaign([email('first', [check(good())])]), [
      ['$.actions[0].children[0].settings.emailActionId', /above it: "first"\); got "mail"/],
    ]);
  });

  it('refuses an ancestor that is not a Send e-mail', () => {
    const doc = campaign([
      email('first', [{ id: 'mail', type: 'wait', settings: { duration: { seconds: 5 } }, children: [check(good())] }]),
    ]);
    expectErrors(doc, [['$.actions[0].children[0].children[0].settings.emailActionId', /"mail" is a "wait" action, not a Send e-mail/]]);
  });

  it('refuses branches that name a non-child, and children without a status', () => {
    const doc = campaign([
      email('mail', [
        check({ emailActionId: 'mail', branches: { bonus: ['clicked'], sms: ['undelivered'] } }, [tag('bonus'), tag('reminder')]),
      ]),
    ]);
    expectErrors(doc, [
      ['$.actions[0].children[0].settings.branches.sms', /unknown key "sms": not a child of this action \(children: "bonus", "reminder"\)/],
      ['$.actions[0].children[0].settings.branches', /child "reminder" has no status/],
    ]);
  });

  it('refuses a branch key "__proto__" like any other non-child (zod would drop it silently)', () => {
    const branches = JSON.parse('{"bonus": ["clicked"], "reminder": ["undelivered"], "__proto__": ["clicked"]}');
    expectErrors(campaign([email('mail', [check({ emailActionId: 'mail', branches })])]), [
      ['$.actions[0].children[0].settings.branches.__proto__', /unknown key "__proto__": not a child of this action/],
    ]);
  });

  it('refuses unknown, empty and repeated statuses, a bad waitUpTo, and unknown keys, each at its path', () => {
    const doc = campaign([
      email('mail', [
        check({ emailActionId: 'mail', waitUpTo: { days: 32 }, branches: { bonus: ['read'], reminder: [] }, extra: 1 }),
        {
          ...check({ emailActionId: 'mail', waitUpTo: {}, branches: { b2: ['clicked', 'clicked'], r2: ['undelivered'] } }, [
            tag('b2'),
            tag('r2'),
          ]),
          id: 'check2',
        },
      ]),
    ]);
    const base = '$.actions[0].children';
    expectErrors(doc, [
      [`${base}[0].settings.waitUpTo`, /must be at most 31 days/],
      [`${base}[0].settings.branches.bonus[0]`, /must be one of: undelivered, delivered_not_opened, opened_not_clicked, clicked/],
      [`${base}[0].settings.branches.reminder`, /must list at least one status/],
      [`${base}[0].settings.extra`, /unknown key "extra"/],
      [`${base}[1].settings.waitUpTo`, /must give at least one of: days, hours, minutes, seconds \(or leave waitUpTo out/],
      [`${base}[1].settings.branches.b2[1]`, /"clicked" is listed twice/],
    ]);
  });

  it('requires emailActionId and branches', () => {
    expectErrors(campaign([email('mail', [check({}, [])])]), [
      ['$.actions[0].children[0].settings.emailActionId', /is required/],
      ['$.actions[0].children[0].settings.branches', /is required/],
    ]);
  });

  it("machineOpens: absent or 'excluded' leaves the check's run input as it was; 'counted' carries it to every check", () => {
    const doc = (machineOpens?: unknown) => ({
      ...campaign([email('mail', [check(good())])]),
      ...(machineOpens === undefined ? {} : { machineOpens }),
    });
    for (const m of [undefined, 'excluded']) {
      const r = validateCampaign(doc(m), ctx);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(actionTree(r.campaign)[0].children[0].emailCheck, good(), `machineOpens ${m}`);
    }
    const r = validateCampaign(doc('counted'), ctx);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(actionTree(r.campaign)[0].children[0].emailCheck, { ...good(), machineOpens: 'counted' });
  });

  it('refuses a machineOpens that is neither excluded nor counted, at its path', () => {
    for (const bad of ['count', true, 1, null])
      expectErrors({ ...campaign([email('mail', [check(good())])]), machineOpens: bad }, [
        ['$.machineOpens', /^must be one of: excluded, counted$/],
      ]);
  });
});
