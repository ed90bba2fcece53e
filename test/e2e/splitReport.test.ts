// The per-variant figures of splits and control groups (issue 25) from real Postgres, seeded as the split's runs leave
// them (the contract with the split action types): one flow_log row per run that reached a split or control group (its
// variant, when it entered), its sends in send_ledger by run key, SendGrid's word in send_delivery, and the times
// customers got tags. Each figure counts customers; sends outside the split do not count; the goal counts a tag added
// after entering and within the window only, for every group, control included; the text and HTML reports show it all.
import assert from 'node:assert/strict';
import type { Campaign } from '../../src/campaigns/types';
import { storeCampaign } from '../../src/db/campaigns';
import { campaignReport, formatReport } from '../../src/report/campaignReport';
import { renderReportHtml } from '../../src/report/html';
import type { VariantFigures } from '../../src/report/splitFigures';
import { emailSettings } from '../support/campaigns';
import { customers } from '../support/customers';
import { testEnv } from '../support/env';
import { uid } from '../support/harness';
import { figure, mismatches, sectionOf, variantCell } from '../support/reportFigures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ENTERED = new Date('2026-12-01T10:00:00Z');
const at = (ms: number) => new Date(ENTERED.getTime() + ms);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

interface Send {
  action: string;
  status?: 'sent' | 'skipped';
  delivery?: Partial<{ status: string; open_count: number; click_count: number; unsubscribed_at: Date; spam_reported_at: Date }>;
}

describe('split and control group report (database)', () => {
  const prefix = uid('split');
  const campaignId = `${prefix}-camp`;
  const id = (group: string, i: number) => `${prefix}-${group}${String(i).padStart(2, '0')}`;

  async function run(split: string, type: 'split' | 'controlGroup', variant: string, customerId: string, sends: Send[]) {
    const { db } = testEnv();
    const runKey = `run-${customerId}`;
    await db('flow_log').insert({
      run_key: runKey,
      action_id: split,
      campaign_id: campaignId,
      campaign_version: 1,
      customer_id: customerId,
      action_type: type,
      outcome: variant,
      reached_at: ENTERED,
      finished_at: ENTERED,
    });
    for (const s of sends) {
      const [{ id: ledgerId }] = await db('send_ledger')
        .insert({
          run_key: runKey,
          action_id: s.action,
          campaign_id: campaignId,
          campaign_version: 1,
          customer_id: customerId,
          status: s.status ?? 'sent',
        })
        .returning('id');
      if (s.delivery) await db('send_delivery').insert({ ledger_id: ledgerId, customer_id: customerId, ...s.delivery });
    }
  }

  const tagAdded = (customerId: string, tag: string, addedAt: Date) =>
    testEnv().db('customer_tags_added').insert({ customer_id: customerId, tag, added_at: addedAt });

  before(async function () {
    this.timeout(60_000);
    const { db } = testEnv();
    const mail = (actionId: string) => ({ id: actionId, type: 'sendEmail', settings: emailSettings(), children: [] });
    // Split and controlGroup as the split change defines them; this build stores the document as given.
    const doc = {
      id: campaignId,
      name: 'A/B <test>',
      goal: { tag: 'bought', withinDays: 7 },
      actions: [
        {
          id: 'ab',
          type: 'split',
          settings: {
            variants: [
              { name: 'A', weight: 1, children: ['mail-a'] },
              { name: 'B', weight: 3, children: ['mail-b'] },
            ],
          },
          children: [mail('mail-a'), { ...mail('mail-b'), children: [mail('mail-b2')] }],
        },
        { id: 'cg', type: 'controlGroup', settings: { percent: 50, target: ['mail-t'] }, children: [mail('mail-t')] },
        mail('outside'),
      ],
    } as unknown as Campaign;
    await storeCampaign(db, doc);
    await customers([
      ...range(40).map((i) => id('a', i)),
      ...range(40).map((i) => id('b', i)),
      ...range(35).map((i) => id('t', i)),
      ...range(35).map((i) => id('k', i)),
    ]);

    // A: 40 sent; 38 delivered (2 bounced); 10 opened; 3 opened by a machine only; 4 clicked; 1 unsubscribed; 1 spam report. Every run also got the
    // root e-mail "outside" the split, opened and clicked: it counts for no variant.
    const outside: Send = { action: 'outside', delivery: { status: 'delivered', open_count: 1, click_count: 1 } };
    for (const i of range(40))
      await run('ab', 'split', 'A', id('a', i), [
        {
          action: 'mail-a',
          delivery: {
            status: i < 38 ? 'delivered' : 'bounced',
            open_count: i < 10 ? 2 : 0,
            click_count: i < 4 ? 1 : 0,
            ...(i === 5 ? { unsubscribed_at: at(HOUR) } : {}),
            ...(i === 6 ? { spam_reported_at: at(HOUR) } : {}),
            // a30-a32: only a machine (Apple Mail's proxy) opened it: counted apart, not as opened
            ...(i >= 30 && i < 33 ? { machine_open_count: 1 } : {}),
          },
        },
        outside,
      ]);
    // B: 38 sent, 2 skipped; b00-b09 got mail-b2 as well, and b00-b04 clicked both: 15 customers clicked, not 20.
    for (const i of range(40))
      await run('ab', 'split', 'B', id('b', i), [
        i < 38
          ? { action: 'mail-b', delivery: { status: 'delivered', open_count: i < 20 ? 1 : 0, click_count: i < 15 ? 1 : 0 } }
          : { action: 'mail-b', status: 'skipped' },
        ...(i < 10 ? [{ action: 'mail-b2', delivery: { status: 'delivered', open_count: 1, click_count: i < 5 ? 1 : 0 } }] : []),
        outside,
      ]);
    for (const i of range(35)) {
      await run('cg', 'controlGroup', 'target', id('t', i), [{ action: 'mail-t', delivery: { status: 'delivered' } }]);
      await run('cg', 'controlGroup', 'control', id('k', i), []);
    }

    // The goal, tag "bought" within 7 days of entering. A: a00 (an hour after) and a03 (exactly 7 days) count; a01 had
    // it before entering, a02 got it after the window. B: b00-b04 count; b05 got another tag.
    await tagAdded(id('a', 0), 'bought', at(HOUR));
    await tagAdded(id('a', 1), 'bought', at(-HOUR));
    await tagAdded(id('a', 2), 'bought', at(7 * DAY + HOUR));
    await tagAdded(id('a', 3), 'bought', at(7 * DAY));
    for (const i of range(5)) await tagAdded(id('b', i), 'bought', at(2 * DAY));
    await tagAdded(id('b', 5), 'browsed', at(HOUR));
    // Target: 12 within; control, which got no e-mail: k00-k02 within count alike, k03 had it before.
    for (const i of range(12)) await tagAdded(id('t', i), 'bought', at(3 * DAY));
    for (const i of range(3)) await tagAdded(id('k', i), 'bought', at(DAY));
    await tagAdded(id('k', 3), 'bought', at(-DAY));
  });

  const zero: Omit<VariantFigures, 'name'> = {
    customersReached: 0,
    sent: 0,
    skipped: 0,
    delivered: 0,
    openedCustomers: 0,
    machineOpens: 0,
    clickedCustomers: 0,
    unsubscribed: 0,
    spamReports: 0,
  };

  it('counts each figure per variant, per customer, from the database', async () => {
    const r = await campaignReport(testEnv().db, campaignId);
    assert.deepEqual(
      r.splits?.map((s) => [s.actionId, s.kind]),
      [
        ['ab', 'split'],
        ['cg', 'controlGroup'],
      ],
    );
    const [ab, cg] = r.splits!;
    assert.deepEqual(ab.variants, [
      {
        ...zero,
        name: 'A',
        share: 25,
        customersReached: 40,
        sent: 40,
        delivered: 38,
        openedCustomers: 10,
        machineOpens: 3,
        clickedCustomers: 4,
        unsubscribed: 1,
        spamReports: 1,
        goalReached: 2,
      },
      {
        ...zero,
        name: 'B',
        share: 75,
        customersReached: 40,
        sent: 38,
        skipped: 2,
        delivered: 38,
        openedCustomers: 20,
        clickedCustomers: 15,
        goalReached: 5,
      },
    ]);
    assert.deepEqual(cg.variants, [
      { ...zero, name: 'target', share: 50, customersReached: 35, sent: 35, delivered: 35, goalReached: 12 },
      { ...zero, name: 'control', share: 50, customersReached: 35, goalReached: 3 },
    ]);
    assert.deepEqual(
      [...ab.comparisons, ...cg.comparisons].map((c) => c.line),
      [
        'B vs A, click rate: +29.5 points (95 % CI +11.4 to +47.6), p = 0.0024: B wins',
        'B vs A, goal rate: +7.5 points (95 % CI -4.8 to +19.8), p = 0.24: no winner yet',
        'target vs control, goal rate: +25.7 points (95 % CI +7.5 to +44.0), p = 0.0088: target wins',
      ],
    );
    // The e-mails' own figures are untouched: "outside" was sent to all 80 runs of the split.
    assert.equal(r.actions.find((a) => a.actionId === 'outside')?.sent, 80);
  });

  it('the text report prints each split side by side with its lines, and the goal', async () => {
    const text = formatReport(await campaignReport(testEnv().db, campaignId));
    const lines = text.split('\n').map((l) => l.trimEnd());
    const at = lines.indexOf('Split ab (goal: the customer gets tag "bought" within 7 days of entering)');
    assert.ok(at > 0, text);
    assert.deepEqual(lines.slice(at + 1, at + 18), [
      'variant           A     B',
      'share %          25    75',
      'reached          40    40',
      'sent             40    38',
      'skipped           0     2',
      'delivered        38    38',
      'opened           10    20',
      'machine opens     3     0',
      'clicked           4    15',
      'unsub             1     0',
      'spam              1     0',
      'goal reached      2     5',
      'open rate %    25.0  52.6',
      'click rate %   10.0  39.5',
      'goal rate %     5.0  12.5',
      'B vs A, click rate: +29.5 points (95 % CI +11.4 to +47.6), p = 0.0024: B wins',
      'B vs A, goal rate: +7.5 points (95 % CI -4.8 to +19.8), p = 0.24: no winner yet',
    ]);
    assert.ok(lines.includes('target vs control, goal rate: +25.7 points (95 % CI +7.5 to +44.0), p = 0.0088: target wins'), text);
  });

  it('the HTML report draws each split as its own section, every count where the report has it', async () => {
    const r = await campaignReport(testEnv().db, campaignId);
    const html = renderReportHtml(r);
    assert.deepEqual(mismatches(html, r), []);
    const ab = sectionOf(html, 'ab');
    assert.match(ab, /^<section class="action split"/);
    assert.equal(variantCell(ab, 'B', 'clicked'), '15');
    assert.equal(variantCell(ab, 'A', 'goal reached'), '2');
    assert.match(ab, /<p class="significance winner" data-metric="click">B vs A, click rate: \+29\.5 points/);
    assert.match(ab, /<p class="significance" data-metric="goal">B vs A, goal rate: .*no winner yet<\/p>/);
    assert.match(sectionOf(html, 'cg'), /<p class="significance winner" data-metric="goal">target vs control, goal rate: .*target wins/);
    assert.equal(figure(html, 'goal'), 'goal: the customer gets tag &quot;bought&quot; within 7 days of entering');
    const drawn = [...html.matchAll(/<section class="action[^"]*" data-action="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(drawn, ['ab', 'mail-a', 'mail-b', 'mail-b2', 'cg', 'mail-t', 'outside']);
  });
});
