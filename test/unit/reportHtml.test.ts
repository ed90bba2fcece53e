// The HTML report drawn from a report object: every number where it should be (each action's funnel, skip groups,
// failures, flow branches, and every column of the text report), the same numbers as the text report, the tree's order,
// campaign text escaped, nothing fetched or run, and the sections issue 25 will fill (splits, machine opens).
import assert from 'node:assert/strict';
import { escapeHtml } from '../../src/email/escapeHtml';
import {
  formatReport,
  REPORT_COLUMNS,
  REPORT_NOTES,
  type ActionFigures,
  type CampaignReport,
  type ReportColumn,
} from '../../src/report/campaignReport';
import { renderReportHtml } from '../../src/report/html';
import type { SplitFigures } from '../../src/report/splitFigures';
import { cell, figure, figures, mismatches, sectionOf } from '../support/reportFigures';

/** Figures whose every count differs from the others (and some need a thousands separator). */
function distinct(base: number): ActionFigures {
  const n = (k: number) => base + k;
  return {
    customersReached: n(9000),
    sent: n(4000),
    skipped: {
      total: n(10) + n(11) + n(12) + n(13),
      byGroup: { unsubscribedFromChannel: n(10), addressIssue: n(11), unsubscribedFromCategory: n(12), customerNotFound: n(13) },
      byReason: {
        email_channel_unsubscribed: n(10),
        email_missing: n(14),
        email_invalid: n(15),
        category_unsubscribed: n(16),
        customer_not_found: n(13),
      },
    },
    failed: n(20) + n(21) + n(22),
    deliveryUnknown: n(21),
    lifetimeExpired: n(22),
    cancelled: n(23) + n(26),
    cancelledInFlight: n(26),
    inProgress: n(24),
    awaitingWord: n(27),
    confirmedLate: n(28),
    possibleDuplicates: n(25),
    duplicatesConfirmed: n(29),
    delivery: {
      delivered: n(3000),
      bounced: { total: n(30) + n(31), hard: n(30), soft: n(31) },
      dropped: n(32),
      openedCustomers: n(2000),
      clickedCustomers: n(1000),
      unsubscribed: n(33),
      spamReports: n(34),
    },
  };
}

function report(over: Partial<CampaignReport> = {}): CampaignReport {
  return {
    campaignId: 'welcome',
    generatedAt: '2026-12-07T16:40:12.345Z',
    actions: [
      { actionId: 'z-first', ...distinct(100) },
      { actionId: 'a-second', ...distinct(200) },
    ],
    totals: distinct(300),
    flow: [
      {
        actionId: 'm-check',
        type: 'checkEmailStatus',
        customersReached: 2901,
        waiting: 2,
        cancelled: 3,
        branches: { undelivered: 4, delivered_not_opened: 5, opened_not_clicked: 6, clicked: 2881, email_not_sent: 0 },
      },
    ],
    campaign: { name: 'Welcome series', version: 3, figureVersions: [2, 3] },
    tree: [
      { actionId: 'z-first', type: 'sendEmail', depth: 0, parentId: null, label: 'Hello {{ customer.firstName }}' },
      { actionId: 'm-check', type: 'checkEmailStatus', depth: 1, parentId: 'z-first' },
      { actionId: 'b-tag', type: 'setTag', depth: 2, parentId: 'm-check', runsOn: ['clicked'], label: 'engaged' },
      { actionId: 'a-second', type: 'sendEmail', depth: 2, parentId: 'm-check', runsOn: ['delivered_not_opened'], label: 'Again' },
    ],
    state: {
      state: 'running',
      runs: { running: 2, completed: 2899, failed: 0, cancelled: 0, terminated: 0, timedOut: 0 },
      launches: { running: 0, stopped: 0, total: 1 },
    },
    ...over,
  };
}

describe('the HTML report', () => {
  it("puts every number of the report where it belongs: each action's funnel, skips, failures, branches, every column", () => {
    const r = report();
    assert.deepEqual(mismatches(renderReportHtml(r), r), []);
    // The check bites: a count drawn from the wrong field is found.
    const wrong = renderReportHtml(r).replace('data-figure="delivered">3,100<', 'data-figure="delivered">3,000<');
    assert.deepEqual(mismatches(wrong, r), ['z-first delivered: shows 3,000, the report has 3100']);
  });

  it('shows the numbers the text report prints, column by column', () => {
    const r = report();
    const html = renderReportHtml(r);
    const lines = formatReport(r).split('\n');
    const headAt = lines.findIndex((l) => l.startsWith('action'));
    const head = lines[headAt].trim().split(/\s{2,}/);
    assert.deepEqual(
      head.slice(1),
      REPORT_COLUMNS.map((c) => c.head),
    );
    const rows = lines.slice(headAt + 1, headAt + 1 + r.actions.length + 1).map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(
      rows.map((row) => row[0]),
      ['z-first', 'a-second', 'TOTAL'],
    );
    for (const note of REPORT_NOTES) assert.ok(html.includes(`<p>${escapeHtml(note)}</p>`), `the footer explains: ${note}`);
    for (const row of rows)
      head.slice(1).forEach((column, i) => assert.equal(cell(html, row[0], column).replace(/,/g, ''), row[i + 1], `${row[0]} ${column}`));
  });

  it('a column added to the text report shows in the HTML with no change to the renderer', () => {
    const columns = REPORT_COLUMNS as ReportColumn[];
    columns.push({ head: 'a new count', of: (f) => f.sent + 1 });
    try {
      const r = report();
      assert.equal(cell(renderReportHtml(r), 'z-first', 'a new count'), '4,101');
      assert.equal(cell(renderReportHtml(r), 'TOTAL', 'a new count'), '4,301');
    } finally {
      columns.pop();
    }
  });

  it("draws the actions in the campaign's tree order, each indented by depth and saying where it hangs", () => {
    const html = renderReportHtml(report());
    const order = [...html.matchAll(/<section class="action[^"]*" data-action="([^"]+)" style="margin-left:([\d.]+)rem"/g)].map(
      (m) => `${m[1]}@${m[2]}`,
    );
    assert.deepEqual(order, ['z-first@0', 'm-check@1.75', 'b-tag@3.5', 'a-second@3.5']);
    assert.match(sectionOf(html, 'a-second'), /after <code>m-check<\/code>, on delivered, not opened/);
    assert.match(sectionOf(html, 'm-check'), /clicked → b-tag/);
    assert.match(sectionOf(html, 'b-tag'), /not counted by the report/);
  });

  it('an action of an earlier version, which the tree lacks, is drawn after the tree', () => {
    const r = report({ actions: [...report().actions, { actionId: 'old-mail', ...distinct(400) }] });
    const html = renderReportHtml(r);
    assert.ok(html.indexOf('Actions of earlier versions') < html.indexOf('data-action="old-mail"'));
    assert.match(sectionOf(html, 'old-mail'), /not in the latest version/);
    assert.deepEqual(mismatches(html, r), []);
  });

  it("heads the page with the campaign's name, id, version, the figures' versions and time, and the state", () => {
    const html = renderReportHtml(report());
    assert.equal(figure(html, 'campaignName'), 'Welcome series');
    assert.equal(figure(html, 'campaignId'), 'welcome');
    assert.equal(figure(html, 'version'), 'version 3 (figures from versions 2, 3)');
    assert.equal(figure(html, 'generatedAt'), '2026-12-07 16:40:12 UTC');
    assert.equal(figure(html, 'state'), 'running');
    assert.match(html, /runs: 2 open, 2,899 completed · launches: 1 \(0 running\)/);
    for (const state of ['finished', 'stopped'] as const) {
      const r = report({ state: { ...report().state!, state } });
      assert.equal(figure(renderReportHtml(r), 'state'), state);
    }
  });

  it('escapes the campaign text it shows: name, ids, subjects, tags, variant names', () => {
    const evil = `<script>alert("x")</script> & 'co'`;
    const r = report({
      campaign: { name: evil, version: 1, figureVersions: [1] },
      tree: report().tree!.map((n) => (n.label ? { ...n, label: `<img src=x onerror=alert(1)>${n.label}` } : n)),
      splits: [split(`<b>${evil}</b>`)],
    });
    const html = renderReportHtml(r);
    assert.doesNotMatch(html, /<script|<img|<b>&lt;|onerror=alert\(1\)>/);
    assert.equal(figure(html, 'campaignName'), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
    assert.match(html, /<title>&lt;script&gt;/);
    assert.match(sectionOf(html, 'z-first'), /“&lt;img src=x onerror=alert\(1\)&gt;Hello \{\{ customer.firstName \}\}”/);
    assert.match(html, /data-variant="&lt;b&gt;&lt;script&gt;/);
  });

  it('is self-contained: no script, nothing to fetch, and a policy that forbids both', () => {
    const html = renderReportHtml(report({ splits: [split('A')] }));
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|<object|\ssrc=|\shref=|url\(|@import/i);
    const urls = html.match(/[a-z]+:\/\/[^\s"'<>]*/gi) ?? [];
    assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace, which is a name, not fetched');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
  });

  it('counts machine opens apart when the report carries them, and says nothing of them otherwise', () => {
    const plain = renderReportHtml(report());
    assert.deepEqual(figures(plain, 'machineOpens'), []);
    assert.doesNotMatch(plain, /opened \(people\)|machine opens/);
    const actions = report().actions.map((a) => ({ ...a, delivery: { ...a.delivery, machineOpens: a.delivery.openedCustomers + 7 } }));
    const r = report({ actions });
    const html = renderReportHtml(r);
    assert.equal(figure(sectionOf(html, 'z-first'), 'machineOpens'), '2,107');
    assert.match(sectionOf(html, 'z-first'), />opened \(people\)</);
    assert.deepEqual(mismatches(html, r), []);
  });

  it("draws a split's variants side by side with the text report's significance line, and no such section without one", () => {
    assert.doesNotMatch(renderReportHtml(report()), /<section class="action split"|<p class="significance/);
    const tree = [...report().tree!, { actionId: 'ab', type: 'split', depth: 0, parentId: null }] as CampaignReport['tree'];
    const html = renderReportHtml(report({ tree, splits: [split('A')] }));
    const s = sectionOf(html, 'ab');
    assert.match(s, /<th scope="col">A <small>50%<\/small><\/th><th scope="col">B <small>50%<\/small><\/th>/);
    assert.match(s, /data-variant="A" data-figure="clicked">120 <small>12\.0%<\/small>/);
    assert.match(s, /data-variant="B" data-figure="goal reached">90 <small>9\.0%<\/small>/);
    assert.doesNotMatch(s, /machine opens/, 'a row only for what the variants carry');
    assert.match(s, /<p class="significance winner" data-metric="click">click rate B − A: \+3\.0 pp/);
    assert.match(s, /<p class="significance" data-metric="goal">goal rate: no winner yet/);
  });
});

function split(name: string): SplitFigures {
  const v = (n: string, clicked: number, goal: number) => ({
    name: n,
    share: 50,
    customersReached: 1000,
    sent: 950,
    skipped: 50,
    delivered: 940,
    openedCustomers: 400,
    clickedCustomers: clicked,
    unsubscribed: 3,
    spamReports: 1,
    goalReached: goal,
  });
  return {
    actionId: 'ab',
    kind: 'split',
    variants: [v(name, 120, 80), v('B', 150, 90)],
    comparisons: [
      {
        metric: 'click',
        a: name,
        b: 'B',
        difference: 0.03,
        low: 0.001,
        high: 0.059,
        pValue: 0.04,
        winner: 'B',
        line: 'click rate B − A: +3.0 pp (95% CI +0.1 to +5.9), p = 0.040: B wins',
      },
      {
        metric: 'goal',
        a: name,
        b: 'B',
        difference: 0.01,
        low: -0.015,
        high: 0.035,
        pValue: 0.43,
        line: 'goal rate: no winner yet (p = 0.43)',
      },
    ],
  };
}
