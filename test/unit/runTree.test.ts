// The run's tree (campaigns/runTree.ts) is workflow input: it goes into every history, and a client other than ours may
// hand one in. Each action type's definition says what it puts there and how a handed-in one is compared; this pins
// the result, byte for byte, for a campaign with every type.
import assert from 'node:assert/strict';
import { actionTree, treeMismatch } from '../../src/campaigns/runTree';
import { parseCampaign } from '../../src/campaigns/validate';
import type { ActionNode } from '../../src/contract';

const campaign = parseCampaign(
  {
    id: 'tree',
    name: 'Every type',
    sendWindow: { start: '09:00', end: '18:00', timeZone: 'Europe/Moscow' },
    actions: [
      {
        id: 'mail',
        type: 'sendEmail',
        settings: { from: { email: 'news@shop.example.com' }, subject: 'Hi', html: '<p>Hi</p>' },
        children: [
          {
            id: 'check',
            type: 'checkEmailStatus',
            settings: { emailActionId: 'mail', waitUpTo: { days: 2 }, branches: { tag: ['clicked'], later: ['undelivered'] } },
            children: [
              { id: 'tag', type: 'setTag', settings: { tag: 'clicked' } },
              { id: 'later', type: 'wait', settings: { duration: { hours: 1, seconds: 5 } } },
            ],
          },
        ],
      },
      {
        id: 'now',
        type: 'sendEmail',
        settings: { from: { email: 'news@shop.example.com' }, subject: 'Now', html: '<p>Now</p>', deliverImmediately: true },
      },
      { id: 'sale', type: 'waitUntil', settings: { dateTime: '2026-12-01T10:00', timeZone: 'Europe/Moscow' } },
    ],
  },
  { categoryCodes: new Set() },
);

describe('the run tree', () => {
  it('holds ids, types, children and the fields each type puts there, in this order', () => {
    assert.equal(
      JSON.stringify(actionTree(campaign)),
      JSON.stringify([
        {
          id: 'mail',
          type: 'sendEmail',
          children: [
            {
              id: 'check',
              type: 'checkEmailStatus',
              children: [
                { id: 'tag', type: 'setTag', children: [] },
                { id: 'later', type: 'wait', children: [], wait: { hours: 1, seconds: 5 } },
              ],
              emailCheck: { emailActionId: 'mail', waitUpTo: { days: 2 }, branches: { tag: ['clicked'], later: ['undelivered'] } },
            },
          ],
          sendWindow: { start: '09:00', end: '18:00', timeZone: 'Europe/Moscow' },
        },
        { id: 'now', type: 'sendEmail', children: [] },
        {
          id: 'sale',
          type: 'waitUntil',
          children: [],
          waitUntil: { at: '2026-12-01T07:00:00.000Z', dateTime: '2026-12-01T10:00', timeZone: 'Europe/Moscow' },
        },
      ]),
    );
  });

  it('copies what it takes from the settings: changing the tree changes no stored campaign', () => {
    const tree = actionTree(campaign);
    tree[0].children[0].emailCheck!.branches.tag.push('opened_not_clicked');
    tree[2].waitUntil!.dateTime = 'changed';
    assert.deepEqual(actionTree(campaign)[0].children[0].emailCheck!.branches.tag, ['clicked']);
    assert.equal(actionTree(campaign)[2].waitUntil!.dateTime, '2026-12-01T10:00');
  });

  describe('a tree handed in by a client', () => {
    const stored = () => actionTree(campaign);
    const changed = (change: (t: ActionNode[]) => void) => {
      const t = stored();
      change(t);
      return t;
    };

    it('matches the stored one as it is, its keys in any order', () => {
      assert.equal(treeMismatch(stored(), stored()), null);
      assert.equal(
        treeMismatch(
          JSON.parse(JSON.stringify(stored()).replace('"id":"now","type":"sendEmail"', '"type":"sendEmail","id":"now"')),
          stored(),
        ),
        null,
      );
    });

    it("matches a Wait until by its local date, time and zone, whatever instant the client's zone data made of them", () => {
      assert.equal(
        treeMismatch(
          changed((t) => (t[2].waitUntil!.at = '2026-12-01T08:00:00.000Z')),
          stored(),
        ),
        null,
      );
      assert.equal(
        treeMismatch(
          changed((t) => (t[2].waitUntil!.dateTime = '2026-12-01T11:00')),
          stored(),
        ),
        `action "sale" has settings other than the stored version's`,
      );
      assert.equal(
        treeMismatch(
          changed((t) => delete t[2].waitUntil),
          stored(),
        ),
        `action "sale" has settings other than the stored version's`,
      );
    });

    it("refuses any other difference of a node's fields", () => {
      const cases: [string, (t: ActionNode[]) => void][] = [
        ['mail', (t) => (t[0].sendWindow!.end = '19:00')],
        ['now', (t) => (t[1].sendWindow = { start: '09:00', end: '18:00', timeZone: 'UTC' })],
        ['check', (t) => (t[0].children[0].emailCheck!.branches.tag = ['opened_not_clicked'])],
        ['later', (t) => (t[0].children[0].children[1].wait = { hours: 2 })],
        ['tag', (t) => ((t[0].children[0].children[0] as unknown as Record<string, unknown>).extra = 1)],
        ['now', (t) => (t[1].waitUntil = { at: '2026-12-01T07:00:00.000Z', dateTime: '2026-12-01T10:00', timeZone: 'UTC' })],
      ];
      for (const [id, change] of cases)
        assert.equal(treeMismatch(changed(change), stored()), `action "${id}" has settings other than the stored version's`, id);
    });
  });
});
