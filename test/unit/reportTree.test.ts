// The report's order is the campaign's tree (depth first, children in the document's order), not the ids' order.
import assert from 'node:assert/strict';
import { parseCampaign } from '../../src/campaigns/validate';
import { inTreeOrder, reportTree } from '../../src/report/tree';

const from = { email: 'news@shop.example.com' };
const email = (id: string, subject: string, children: unknown[] = []) => ({
  id,
  type: 'sendEmail',
  settings: { from, subject, html: '<p>x</p>' },
  children,
});
const tag = (id: string, t: string) => ({ id, type: 'setTag', settings: { tag: t }, children: [] });

const campaign = parseCampaign(
  {
    id: 'tree',
    name: 'Tree',
    actions: [
      email('z-welcome', 'Welcome <b>{{ customer.firstName }}</b>', [
        {
          id: 'm-check',
          type: 'checkEmailStatus',
          settings: {
            emailActionId: 'z-welcome',
            branches: { 'b-engaged': ['clicked'], 'a-remind': ['delivered_not_opened', 'opened_not_clicked'] },
          },
          children: [tag('b-engaged', 'engaged'), email('a-remind', 'Did you see it?')],
        },
      ]),
      { id: 'c-wait', type: 'wait', settings: { duration: { days: 1 } }, children: [tag('a-later', 'later')] },
    ],
  },
  { categoryCodes: new Set() },
);

describe('report tree order', () => {
  it('lists every action depth first, children in the order written, with its parent, depth and branch', () => {
    assert.deepEqual(reportTree(campaign), [
      { actionId: 'z-welcome', type: 'sendEmail', depth: 0, parentId: null, label: 'Welcome <b>{{ customer.firstName }}</b>' },
      { actionId: 'm-check', type: 'checkEmailStatus', depth: 1, parentId: 'z-welcome' },
      { actionId: 'b-engaged', type: 'setTag', depth: 2, parentId: 'm-check', runsOn: ['clicked'], label: 'engaged' },
      {
        actionId: 'a-remind',
        type: 'sendEmail',
        depth: 2,
        parentId: 'm-check',
        runsOn: ['delivered_not_opened', 'opened_not_clicked'],
        label: 'Did you see it?',
      },
      { actionId: 'c-wait', type: 'wait', depth: 0, parentId: null },
      { actionId: 'a-later', type: 'setTag', depth: 1, parentId: 'c-wait', label: 'later' },
    ]);
  });

  it('orders figures by the tree; actions the tree lacks (an earlier version) come last, by id', () => {
    const figures = ['a-remind', 'old-b', 'z-welcome', 'old-a', 'c-wait'].map((actionId) => ({ actionId }));
    assert.deepEqual(
      inTreeOrder(figures, reportTree(campaign)).map((f) => f.actionId),
      ['z-welcome', 'a-remind', 'c-wait', 'old-a', 'old-b'],
    );
  });
});
