// Reading the HTML report back: the count a section shows for a figure, and a cell of the table of every figure. Each count
// in the file carries data-figure (in its action's section) or data-action and data-column (in the table), so a test
// finds the number where a reader sees it.
import type { ActionFigures, CampaignReport, FlowFigures } from '../../src/report/campaignReport';
import type { VariantFigures } from '../../src/report/splitFigures';
import { REPORT_COLUMNS } from '../../src/report/campaignReport';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The HTML of an action's section (the sections do not nest). */
export function sectionOf(html: string, actionId: string): string {
  const start = html.search(new RegExp(`<section class="action[^"]*" data-action="${esc(actionId)}"`));
  if (start < 0) throw new Error(`no section for ${actionId}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** Every count with this data-figure in `html`, as shown (e.g. "1,234"). */
export function figures(html: string, figure: string): string[] {
  return [...html.matchAll(new RegExp(`data-figure="${esc(figure)}">([^<]*)<`, 'g'))].map((m) => m[1]);
}

export function figure(html: string, name: string): string {
  const all = figures(html, name);
  if (all.length !== 1) throw new Error(`${all.length} counts named ${name}`);
  return all[0];
}

/** The table's cell for an action (or TOTAL) and a column of the text report. */
export function cell(html: string, actionId: string, column: string): string {
  const m = new RegExp(`data-action="${esc(actionId)}" data-column="${esc(column)}">([^<]*)<`).exec(html);
  if (!m) throw new Error(`no cell ${actionId} / ${column}`);
  return m[1];
}

export const shown = (n: number) => n.toLocaleString('en-US');

/** What each e-mail action's section must show, by data-figure, from the report's own fields. */
export function emailFigures(a: ActionFigures): Record<string, number> {
  const d = a.delivery;
  return {
    reached: a.customersReached,
    sent: a.sent,
    delivered: d.delivered,
    opened: d.openedCustomers,
    clicked: d.clickedCustomers,
    skippedTotal: a.skipped.total,
    ...a.skipped.byGroup,
    deliveryUnknown: a.deliveryUnknown,
    lifetimeExpired: a.lifetimeExpired,
    otherFailures: a.failed - a.deliveryUnknown - a.lifetimeExpired,
    cancelled: a.cancelled,
    hard: d.bounced.hard,
    soft: d.bounced.soft,
    dropped: d.dropped,
    skipped: a.skipped.total,
    failed: a.failed,
    unsubscribed: d.unsubscribed,
    spamReports: d.spamReports,
    confirmedLate: a.confirmedLate,
    possibleDuplicates: a.possibleDuplicates,
    duplicatesConfirmed: a.duplicatesConfirmed,
    cancelledInFlight: a.cancelledInFlight,
    awaitingWord: a.awaitingWord,
    inProgress: a.inProgress,
    ...(d.machineOpens !== undefined ? { machineOpens: d.machineOpens } : {}),
  };
}

export function flowFigures(f: FlowFigures): Record<string, number> {
  return {
    reached: f.customersReached,
    waiting: f.waiting,
    cancelled: f.cancelled,
    ...Object.fromEntries(Object.entries(f.branches).map(([b, n]) => [`branch:${b}`, n])),
  };
}

/** A variant's count in a split's section, as shown (without its rate). */
export function variantCell(html: string, variant: string, label: string): string {
  const m = new RegExp(`data-variant="${esc(variant)}" data-figure="${esc(label)}">([^< ]*)`).exec(html);
  if (!m) throw new Error(`no cell ${variant} / ${label}`);
  return m[1];
}

/** What a split's section shows per variant, by its row's label. */
export function variantFigures(v: VariantFigures): Record<string, number> {
  return {
    reached: v.customersReached,
    sent: v.sent,
    skipped: v.skipped,
    delivered: v.delivered,
    'opened (people)': v.openedCustomers,
    clicked: v.clickedCustomers,
    unsubscribed: v.unsubscribed,
    'spam reports': v.spamReports,
    ...(v.machineOpens !== undefined ? { 'machine opens': v.machineOpens } : {}),
    ...(v.goalReached !== undefined ? { 'goal reached': v.goalReached } : {}),
  };
}

/**
 * Every mismatch between the report object and the HTML drawn from it: each section's counts, and every column of the
 * text report for every action and the TOTAL. Empty when every number is where it should be.
 */
export function mismatches(html: string, r: CampaignReport): string[] {
  const out: string[] = [];
  const check = (where: string, got: () => string, want: number) => {
    try {
      const g = got();
      if (g !== shown(want)) out.push(`${where}: shows ${g}, the report has ${want}`);
    } catch (err) {
      out.push(`${where}: ${(err as Error).message}`);
    }
  };
  for (const a of r.actions) {
    const s = sectionOf(html, a.actionId);
    for (const [k, n] of Object.entries(emailFigures(a))) check(`${a.actionId} ${k}`, () => figure(s, k), n);
  }
  const splits = new Set((r.splits ?? []).map((s) => s.actionId));
  for (const f of r.flow) {
    const s = sectionOf(html, f.actionId);
    // A split's section shows its variants (below); the table of every figure still lists its branches.
    if (!splits.has(f.actionId)) for (const [k, n] of Object.entries(flowFigures(f))) check(`${f.actionId} ${k}`, () => figure(s, k), n);
    for (const [k, n] of Object.entries(flowFigures(f))) check(`table ${f.actionId} ${k}`, () => cell(html, f.actionId, k), n);
  }
  for (const split of r.splits ?? []) {
    const s = sectionOf(html, split.actionId);
    for (const v of split.variants)
      for (const [k, n] of Object.entries(variantFigures(v))) check(`${split.actionId} ${v.name} ${k}`, () => variantCell(s, v.name, k), n);
  }
  for (const [id, f] of [...r.actions.map((a): [string, ActionFigures] => [a.actionId, a]), ['TOTAL', r.totals] as [string, ActionFigures]])
    for (const c of REPORT_COLUMNS) check(`table ${id} ${c.head}`, () => cell(html, id, c.head), c.of(f));
  return out;
}
