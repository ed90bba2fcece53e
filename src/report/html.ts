// The campaign report as one self-contained HTML file (`campaign-runner report --html`): the same report object as the
// text and JSON reports, drawn. Inline CSS and SVG only: no script, nothing from the network (its Content-Security-Policy
// forbids both), so it reads offline and as an e-mail attachment. Every text from a campaign document is escaped.
import { actionDefinitions, definitionOf } from '../actions';
import { escapeHtml } from '../email/escapeHtml';
import { REPORT_COLUMNS, REPORT_NOTES, type ActionFigures, type CampaignReport, type FlowFigures } from './campaignReport';
import type { CampaignState } from './campaignState';
import type { SplitFigures, VariantFigures } from './splitFigures';
import { barChart, count, funnelChart, percent, type Bar } from './svg';
import type { ReportTreeNode } from './tree';
import { REPORT_CSS } from './htmlStyle';
import { goalText } from './splitText';
import { NO_GOAL_FOR_CONTROL } from './variantComparisons';

const STATUS_NAMES: Record<string, string> = {
  undelivered: 'undelivered',
  delivered_not_opened: 'delivered, not opened',
  opened_not_clicked: 'opened, not clicked',
  clicked: 'clicked',
  email_not_sent: 'e-mail not sent',
  continued: 'continued',
};

const e = escapeHtml;

/** The type whose sends the ledger holds: an e-mail's section is headed with it, even for an action of an earlier version. */
const EMAIL_TYPE = Object.entries(actionDefinitions).find(([, d]) => d.sendsEmail)![0];

const CHART_NOTE =
  "the pictures: a funnel's rate is of the step above; a bar's is of reached (skips, failures) or of sent (bounces, drops); failed: other = refused by SendGrid, or not renderable for the customer";
type EmailFigures = ActionFigures & { actionId: string };

export function renderReportHtml(r: CampaignReport): string {
  const tree = r.tree ?? [];
  const emails = new Map(r.actions.map((a) => [a.actionId, a]));
  const flows = new Map(r.flow.map((f) => [f.actionId, f]));
  const splits = new Map((r.splits ?? []).map((s) => [s.actionId, s]));
  const sections = tree.map((node) => actionSection(node, tree, emails, flows, splits));
  const inTree = new Set(tree.map((n) => n.actionId));
  const earlier = [
    ...r.actions.filter((a) => !inTree.has(a.actionId)).map((a) => emailSection(a, undefined, tree)),
    ...r.flow.filter((f) => !inTree.has(f.actionId) && !splits.has(f.actionId)).map((f) => flowSection(f, undefined, tree)),
    ...(r.splits ?? []).filter((s) => !inTree.has(s.actionId)).map((s) => splitSection(s, undefined)),
  ];
  const name = r.campaign?.name ?? r.campaignId;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(name)}: campaign report</title>
<style>${REPORT_CSS}</style>
</head><body>
${header(r)}
<main>
${sections.join('\n')}
${earlier.length ? `<h2 class="earlier">Actions of earlier versions</h2>\n${earlier.join('\n')}` : ''}
${figuresTables(r)}
</main>
<footer>${[CHART_NOTE, ...REPORT_NOTES].map((n) => `<p>${e(n)}</p>`).join('\n')}</footer>
</body></html>
`;
}

function header(r: CampaignReport): string {
  const c = r.campaign;
  const versions = c
    ? c.figureVersions.length > 1 || (c.figureVersions.length === 1 && c.figureVersions[0] !== c.version)
      ? `version ${c.version} (figures from versions ${c.figureVersions.join(', ')})`
      : `version ${c.version}`
    : 'not stored';
  const at = r.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<header>
<h1 data-figure="campaignName">${e(c?.name ?? r.campaignId)}</h1>
<p class="meta">Campaign <code data-figure="campaignId">${e(r.campaignId)}</code> · <span data-figure="version">${versions}</span> · figures of <time datetime="${e(r.generatedAt)}" data-figure="generatedAt">${e(at)}</time></p>
${stateLine(r.state)}
${c?.goal ? `<p class="meta" data-figure="goal">${e(goalText(c.goal))}</p>` : ''}
</header>`;
}

function stateLine(s: CampaignState | undefined): string {
  if (!s) return '<p class="state">State: not known (the report was made without Temporal)</p>';
  const runs = Object.entries(s.runs)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${count(n)} ${k === 'running' ? 'open' : k === 'timedOut' ? 'timed out' : k}`);
  const launches = s.launches.total ? ` · launches: ${count(s.launches.total)} (${count(s.launches.running)} running)` : '';
  return `<p class="state"><span class="badge ${s.state.replace(' ', '-')}" data-figure="state">${s.state}</span> runs: ${runs.join(', ') || 'none'}${launches}</p>`;
}

function where(node: ReportTreeNode | undefined, tree: ReportTreeNode[]): string {
  if (!node) return 'not in the latest version';
  if (node.parentId === null) return 'starts the campaign';
  const parent = tree.find((n) => n.actionId === node.parentId);
  const p = `<code>${e(node.parentId)}</code>`;
  if (node.runsOn) return `after ${p}, on ${node.runsOn.map((s) => e(STATUS_NAMES[s] ?? s)).join(' or ')}`;
  return definitionOf(parent?.type)?.sendsEmail ? `after ${p}, once sent` : `after ${p}`;
}

function head(id: string, type: string, node: ReportTreeNode | undefined, tree: ReportTreeNode[], aside = ''): string {
  const label = node?.label !== undefined ? ` <span class="label">“${e(node.label)}”</span>` : '';
  return `<h2><span class="type">${e(definitionOf(type)?.title ?? type)}</span> <code>${e(id)}</code>${label}</h2>
<p class="where">${where(node, tree)}${aside ? ` · ${aside}` : ''}</p>`;
}

function open(id: string, kind: string, node: ReportTreeNode | undefined): string {
  return `<section class="action ${kind}" data-action="${e(id)}" style="margin-left:${(node?.depth ?? 0) * 1.75}rem">`;
}

function actionSection(
  node: ReportTreeNode,
  tree: ReportTreeNode[],
  emails: Map<string, EmailFigures>,
  flows: Map<string, FlowFigures>,
  splits: Map<string, SplitFigures>,
): string {
  const email = emails.get(node.actionId);
  if (email) return emailSection(email, node, tree);
  // Before the flow log's figures: a split's runs are in the flow log too (its variants as branches), but its section
  // shows them per variant, side by side.
  const split = splits.get(node.actionId);
  if (split) return splitSection(split, node);
  const flow = flows.get(node.actionId);
  if (flow) return flowSection(flow, node, tree);
  const def = definitionOf(node.type);
  // An e-mail's figures come from the ledger, a flow action's from the flow log; any other action is not counted.
  const why = def && !def.sendsEmail && !def.report.branches ? 'not counted by the report' : 'no customer has reached it yet';
  return `${open(node.actionId, 'quiet', node)}
${head(node.actionId, node.type, node, tree, why)}
</section>`;
}

function emailSection(a: EmailFigures, node: ReportTreeNode | undefined, tree: ReportTreeNode[]): string {
  const d = a.delivery;
  const people = d.machineOpens !== undefined;
  const funnel = funnelChart(`Funnel of ${a.actionId}`, [
    { label: 'reached', value: a.customersReached, figure: 'reached', tone: 'funnel' },
    { label: 'sent', value: a.sent, figure: 'sent', note: percent(a.sent, a.customersReached), tone: 'funnel' },
    { label: 'delivered', value: d.delivered, figure: 'delivered', note: percent(d.delivered, a.sent), tone: 'funnel' },
    {
      label: people ? 'opened (people)' : 'opened',
      value: d.openedCustomers,
      figure: 'opened',
      note: percent(d.openedCustomers, d.delivered),
      tone: 'funnel',
    },
    {
      label: 'clicked',
      value: d.clickedCustomers,
      figure: 'clicked',
      note: percent(d.clickedCustomers, d.openedCustomers),
      tone: 'funnel',
    },
  ]);
  const ofReached = (n: number) => `${percent(n, a.customersReached)} of reached`;
  const g = a.skipped.byGroup;
  const skipped = barChart(
    `Skipped by group: ${a.skipped.total}`,
    [
      { label: 'channel unsubscribed', value: g.unsubscribedFromChannel, figure: 'unsubscribedFromChannel', tone: 'skip' },
      { label: 'address missing/invalid', value: g.addressIssue, figure: 'addressIssue', tone: 'skip' },
      { label: 'category unsubscribed', value: g.unsubscribedFromCategory, figure: 'unsubscribedFromCategory', tone: 'skip' },
      { label: 'no customer', value: g.customerNotFound, figure: 'customerNotFound', tone: 'skip' },
    ].map((b) => ({ ...b, note: ofReached(b.value) }) as Bar),
    a.customersReached,
  );
  const otherFailures = a.failed - a.deliveryUnknown - a.lifetimeExpired;
  const ofSent = (n: number) => `${percent(n, a.sent)} of sent`;
  const failures = barChart(
    `Not sent or not delivered`,
    [
      { label: 'failed: unknown', value: a.deliveryUnknown, figure: 'deliveryUnknown', note: ofReached(a.deliveryUnknown), tone: 'fail' },
      { label: 'failed: expired', value: a.lifetimeExpired, figure: 'lifetimeExpired', note: ofReached(a.lifetimeExpired), tone: 'fail' },
      { label: 'failed: other', value: otherFailures, figure: 'otherFailures', note: ofReached(otherFailures), tone: 'fail' },
      { label: 'cancelled', value: a.cancelled, figure: 'cancelled', note: ofReached(a.cancelled), tone: 'fail' },
      { label: 'bounced: hard', value: d.bounced.hard, figure: 'hard', note: ofSent(d.bounced.hard), tone: 'fail' },
      { label: 'bounced: soft', value: d.bounced.soft, figure: 'soft', note: ofSent(d.bounced.soft), tone: 'fail' },
      { label: 'dropped', value: d.dropped, figure: 'dropped', note: ofSent(d.dropped), tone: 'fail' },
    ],
    a.customersReached,
  );
  const foot: [string, string, number][] = [
    ['skipped', 'skipped', a.skipped.total],
    ['failed', 'failed', a.failed],
    ['unsubscribed through it', 'unsubscribed', d.unsubscribed],
    ['spam reports', 'spamReports', d.spamReports],
    ['sent, confirmed late by SendGrid', 'confirmedLate', a.confirmedLate],
    ['maybe sent twice', 'possibleDuplicates', a.possibleDuplicates],
    ['sent twice', 'duplicatesConfirmed', a.duplicatesConfirmed],
    ['cancelled in flight', 'cancelledInFlight', a.cancelledInFlight],
    ["awaiting SendGrid's word", 'awaitingWord', a.awaitingWord],
    ['sending now', 'inProgress', a.inProgress],
    ...(people ? [['machine opens (not in opened)', 'machineOpens', d.machineOpens!] as [string, string, number]] : []),
  ];
  return `${open(a.actionId, 'email', node)}
${head(a.actionId, EMAIL_TYPE, node, tree)}
<div class="charts email">
<figure class="funnel"><figcaption>Funnel <small>(rate: of the step above)</small></figcaption>${funnel}</figure>
<figure class="skipped"><figcaption>Skipped: <b data-figure="skippedTotal">${count(a.skipped.total)}</b></figcaption>${skipped}</figure>
<figure class="failures"><figcaption>Failures and bounces</figcaption>${failures}</figure>
</div>
<p class="foot">${foot.map(([label, figure, n]) => `${label} <b data-figure="${figure}">${count(n)}</b>`).join(' · ')}</p>
</section>`;
}

function flowSection(f: FlowFigures, node: ReportTreeNode | undefined, tree: ReportTreeNode[]): string {
  const children = tree.filter((n) => n.parentId === f.actionId && n.runsOn);
  const to = (status: string) => {
    const ids = children.filter((c) => c.runsOn!.includes(status)).map((c) => c.actionId);
    return ids.length ? ` → ${ids.join(', ')}` : '';
  };
  const bars: Bar[] = [
    ...Object.entries(f.branches).map(([b, n]) => ({
      label: `${STATUS_NAMES[b] ?? b}${to(b)}`,
      value: n,
      figure: `branch:${b}`,
      note: `${percent(n, f.customersReached)} of reached`,
      tone: 'flow' as const,
    })),
    {
      label: 'waiting now',
      value: f.waiting,
      figure: 'waiting',
      note: `${percent(f.waiting, f.customersReached)} of reached`,
      tone: 'flow',
    },
    {
      label: 'cancelled',
      value: f.cancelled,
      figure: 'cancelled',
      note: `${percent(f.cancelled, f.customersReached)} of reached`,
      tone: 'fail',
    },
  ];
  return `${open(f.actionId, 'flow', node)}
${head(f.actionId, f.type, node, tree)}
<div class="charts">
<figure><figcaption>Reached <b data-figure="reached">${count(f.customersReached)}</b>; ${definitionOf(f.type)?.report.branchesCaption ?? 'where they are'}</figcaption>${barChart(`Branches of ${f.actionId}`, bars, f.customersReached)}</figure>
</div>
</section>`;
}

const VARIANT_ROWS: [string, (v: VariantFigures) => number | undefined][] = [
  ['reached', (v) => v.customersReached],
  ['sent', (v) => v.sent],
  ['skipped', (v) => v.skipped],
  ['delivered', (v) => v.delivered],
  ['opened (people)', (v) => v.openedCustomers],
  ['machine opens', (v) => v.machineOpens],
  ['clicked', (v) => v.clickedCustomers],
  ['unsubscribed', (v) => v.unsubscribed],
  ['spam reports', (v) => v.spamReports],
  ['goal reached', (v) => v.goalReached],
];

/** A split or a control group (issue 25): the variants side by side, then the text report's significance lines. */
function splitSection(s: SplitFigures, node: ReportTreeNode | undefined): string {
  const rows = VARIANT_ROWS.filter(([, of]) => s.variants.some((v) => of(v) !== undefined));
  const cols = s.variants
    .map((v) => `<th scope="col">${e(v.name)}${v.share !== undefined ? ` <small>${v.share}%</small>` : ''}</th>`)
    .join('');
  const body = rows
    .map(
      ([label, of]) =>
        `<tr><th scope="row">${label}</th>${s.variants
          .map((v) => {
            const n = of(v);
            if (n === undefined) return '<td>–</td>';
            const rate = label === 'reached' ? '' : ` <small>${percent(n, v.customersReached)}</small>`;
            return `<td data-variant="${e(v.name)}" data-figure="${e(label)}">${count(n)}${rate}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const clicks = barChart(
    'Clicked, % of reached',
    s.variants.map((v) => ({
      label: v.name,
      value: v.clickedCustomers,
      figure: `clicked:${v.name}`,
      note: `${percent(v.clickedCustomers, v.customersReached)} of reached`,
      tone: 'funnel',
    })),
    Math.max(...s.variants.map((v) => v.customersReached), 0),
  );
  const noGoal = s.kind === 'controlGroup' && s.variants.every((v) => v.goalReached === undefined);
  const lines = [
    ...s.comparisons.map((c) => `<p class="significance${c.winner ? ' winner' : ''}" data-metric="${e(c.metric)}">${e(c.line)}</p>`),
    ...(noGoal ? [`<p class="significance">${e(NO_GOAL_FOR_CONTROL)}</p>`] : []),
  ].join('\n');
  const name = s.kind === 'split' ? 'Split' : 'Control group';
  return `${open(s.actionId, 'split', node)}
<h2><span class="type">${name}</span> <code>${e(s.actionId)}</code></h2>
<div class="charts">
<figure><figcaption>Per ${s.kind === 'split' ? 'variant' : 'group'}</figcaption><table class="variants"><thead><tr><th></th>${cols}</tr></thead><tbody>${body}</tbody></table></figure>
<figure><figcaption>Clicks</figcaption>${clicks}</figure>
</div>
${lines}
</section>`;
}

/** Every figure of the text report: its columns (REPORT_COLUMNS) as rows, an e-mail action a column; the flow table. */
function figuresTables(r: CampaignReport): string {
  const actions: [string, ActionFigures][] = [...r.actions.map((a): [string, ActionFigures] => [a.actionId, a]), ['TOTAL', r.totals]];
  const cell = (id: string, column: string, n: number) => `<td data-action="${e(id)}" data-column="${e(column)}">${count(n)}</td>`;
  const rows = REPORT_COLUMNS.map(
    (c) => `<tr><th scope="row">${e(c.head)}</th>${actions.map(([id, f]) => cell(id, c.head, c.of(f))).join('')}</tr>`,
  );
  const emails = `<table class="all"><thead><tr><th></th>${actions.map(([id]) => `<th scope="col"><code>${e(id)}</code></th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
  const flowRow = (f: FlowFigures) => {
    const branches = Object.entries(f.branches).map(
      ([b, n]) => `${e(b)} <b data-action="${e(f.actionId)}" data-column="branch:${e(b)}">${count(n)}</b>`,
    );
    return `<tr data-action="${e(f.actionId)}"><th scope="row"><code>${e(f.actionId)}</code></th><td>${e(f.type)}</td>${cell(f.actionId, 'reached', f.customersReached)}${cell(f.actionId, 'waiting', f.waiting)}${cell(f.actionId, 'cancelled', f.cancelled)}<td>${branches.join(', ')}</td></tr>`;
  };
  const flow = r.flow.length
    ? `<table class="all"><thead><tr><th>flow action</th><th>type</th><th>reached</th><th>waiting</th><th>cancelled</th><th>branches taken</th></tr></thead>
<tbody>${r.flow.map(flowRow).join('\n')}</tbody></table>`
    : '';
  return `<section class="figures"><h2>Every figure</h2><p class="hint">As <code>campaign-runner report</code> prints them; the TOTAL counts opened and clicked customers once across actions.</p>
<div class="scroll">${emails}</div>${flow ? `<div class="scroll">${flow}</div>` : ''}</section>`;
}
