// The campaign report, from the send ledger: per e-mail action, customers reached, sent (actual recipients; BCC copies
// are not counted), skipped by reason and by SmartCom's mailing-report groups, failed (and why), cancelled, still
// sending, and sends that may have duplicated an earlier one. Flow actions (Wait, Wait until, Check e-mail status) come
// from the flow log: customers that reached each, still waiting, and the branch they took (a check's: the status).
import { flowCounts } from '../db/flowLog';
import type { Db } from '../db/knex';
import { SKIP_REASONS, type SkipReason } from '../contract';
import { definitionOf } from '../actions';
import type { CampaignState } from './campaignState';
import { loadReportCampaign, type ReportCampaign } from './reportCampaign';
import type { SplitFigures } from './splitFigures';
import { splitReport } from './splitReport';
import { formatSplit } from './splitText';
import { inTreeOrder, type ReportTreeNode } from './tree';

/** SmartCom's mailing report groups. A skip with several reasons counts once, in the group of its first reason. */
export const SKIP_GROUPS = ['unsubscribedFromChannel', 'addressIssue', 'unsubscribedFromCategory', 'customerNotFound'] as const;
export type SkipGroup = (typeof SKIP_GROUPS)[number];

const GROUP_OF: Record<SkipReason, SkipGroup> = {
  email_channel_unsubscribed: 'unsubscribedFromChannel',
  email_missing: 'addressIssue',
  email_invalid: 'addressIssue',
  category_unsubscribed: 'unsubscribedFromCategory',
  customer_not_found: 'customerNotFound',
};

/**
 * What SendGrid's event webhook said about the sends (send_delivery: the recipient's events only, never a BCC copy's).
 * Each send counts in one of delivered, bounced and dropped at most: its furthest status.
 */
export interface DeliveryFigures {
  delivered: number;
  bounced: { total: number; hard: number; soft: number };
  dropped: number;
  /** customers who opened (unique), a person's opens only: a machine open (sg_machine_open) is not one */
  openedCustomers: number;
  /**
   * customers (unique) with an open SendGrid marked as a machine's (sg_machine_open: Apple Mail's privacy proxy),
   * counted apart from openedCustomers (issue 25); one who also opened in person counts in both. Always set by
   * campaignReport; optional for reports built without it.
   */
  machineOpens?: number;
  /** customers who clicked (unique) */
  clickedCustomers: number;
  /** sends whose recipient unsubscribed through them (the link, one-click, or SendGrid's unsubscribe events) */
  unsubscribed: number;
  spamReports: number;
}

export interface ActionFigures {
  customersReached: number;
  sent: number;
  skipped: { total: number; byGroup: Record<SkipGroup, number>; byReason: Record<SkipReason, number> };
  failed: number;
  /** failed because SendGrid may have taken the message and the campaign holds unknown deliveries */
  deliveryUnknown: number;
  /** failed because the message lifetime ran out */
  lifetimeExpired: number;
  /** stopped by a cancellation before the e-mail went out, or while its request was out (cancelledInFlight) */
  cancelled: number;
  /** cancelled while SendGrid may have had the message (its answer never came): an event may still show it was sent */
  cancelledInFlight: number;
  inProgress: number;
  /** SendGrid may have the message (its answer was lost): the run waits for SendGrid's word */
  awaitingWord: number;
  /** sent: SendGrid's answer was lost, and one of its events later proved it took the message */
  confirmedLate: number;
  /** sent, but possibly a second time (the campaign resends unknown deliveries) */
  possibleDuplicates: number;
  /** sent twice for certain: SendGrid reported events for two messages of the send */
  duplicatesConfirmed: number;
  delivery: DeliveryFigures;
}

/** A flow action: how many customers reached it, how many wait there now, and how many took each branch. */
export interface FlowFigures {
  actionId: string;
  type: string;
  customersReached: number;
  waiting: number;
  /** Wait and Wait until have one branch: continued */
  branches: Record<string, number>;
  /** the run was cancelled while it waited here */
  cancelled: number;
}

export interface CampaignReport {
  campaignId: string;
  generatedAt: string;
  /** the e-mail actions */
  actions: (ActionFigures & { actionId: string })[];
  totals: ActionFigures;
  flow: FlowFigures[];
  /** absent when no campaign of this id is stored */
  campaign?: ReportCampaign;
  /** the latest version's actions in tree order, which `actions` and `flow` follow */
  tree?: ReportTreeNode[];
  /** the runs' and launches' state, from Temporal: set by callers that have a client (the HTML report) */
  state?: CampaignState;
  /** per variant of each split and per group of each control group (issue 25) */
  splits?: SplitFigures[];
}

/** A flow action's branches, each shown even when nobody took it: its type's, or those its settings name (a Split's). */
function branchesOf(actionId: string, type: string, tree: ReportTreeNode[]): readonly string[] {
  const branches = definitionOf(type)?.report.branches;
  if (typeof branches !== 'function') return branches ?? [];
  return tree.find((n) => n.actionId === actionId && n.type === type)?.branches ?? [];
}

async function flowReport(db: Db, campaignId: string, tree: ReportTreeNode[]): Promise<FlowFigures[]> {
  const byAction = new Map<string, FlowFigures>();
  for (const r of await flowCounts(db, campaignId)) {
    let f = byAction.get(r.action_id);
    if (!f) {
      const branches = Object.fromEntries(branchesOf(r.action_id, r.action_type, tree).map((b) => [b, 0]));
      f = { actionId: r.action_id, type: r.action_type, customersReached: 0, waiting: 0, branches, cancelled: 0 };
      byAction.set(r.action_id, f);
    }
    const n = Number(r.n);
    f.customersReached += n;
    if (r.outcome === null) f.waiting += n;
    else if (r.outcome === 'cancelled') f.cancelled += n;
    else f.branches[r.outcome] = (f.branches[r.outcome] ?? 0) + n;
  }
  return [...byAction.values()];
}

function empty(): ActionFigures {
  return {
    customersReached: 0,
    sent: 0,
    skipped: {
      total: 0,
      byGroup: Object.fromEntries(SKIP_GROUPS.map((g) => [g, 0])) as Record<SkipGroup, number>,
      byReason: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
    },
    failed: 0,
    deliveryUnknown: 0,
    lifetimeExpired: 0,
    cancelled: 0,
    cancelledInFlight: 0,
    inProgress: 0,
    awaitingWord: 0,
    confirmedLate: 0,
    possibleDuplicates: 0,
    duplicatesConfirmed: 0,
    delivery: emptyDelivery(),
  };
}

function emptyDelivery(): DeliveryFigures {
  return {
    delivered: 0,
    bounced: { total: 0, hard: 0, soft: 0 },
    dropped: 0,
    openedCustomers: 0,
    machineOpens: 0,
    clickedCustomers: 0,
    unsubscribed: 0,
    spamReports: 0,
  };
}

/** Per action and in total (unique customers across actions), from send_delivery. */
async function deliveryFigures(db: Db, campaignId: string): Promise<{ byAction: Map<string, DeliveryFigures>; totals: DeliveryFigures }> {
  const { rows } = await db.raw(
    `select l.action_id,
            count(*) filter (where d.status = 'delivered')::int as delivered,
            count(*) filter (where d.status = 'bounced' and d.bounce_class = 'hard')::int as hard,
            count(*) filter (where d.status = 'bounced' and d.bounce_class = 'soft')::int as soft,
            count(*) filter (where d.status = 'dropped')::int as dropped,
            count(distinct l.customer_id) filter (where d.open_count > 0)::int as opened,
            count(distinct l.customer_id) filter (where d.machine_open_count > 0)::int as machine_opens,
            count(distinct l.customer_id) filter (where d.click_count > 0)::int as clicked,
            count(*) filter (where d.unsubscribed_at is not null)::int as unsubscribed,
            count(*) filter (where d.spam_reported_at is not null)::int as spam
       from send_ledger l join send_delivery d on d.ledger_id = l.id
      where l.campaign_id = ?
      group by rollup (l.action_id)`,
    [campaignId],
  );
  const byAction = new Map<string, DeliveryFigures>();
  let totals = emptyDelivery();
  for (const r of rows) {
    const f: DeliveryFigures = {
      delivered: r.delivered,
      bounced: { total: r.hard + r.soft, hard: r.hard, soft: r.soft },
      dropped: r.dropped,
      openedCustomers: r.opened,
      machineOpens: r.machine_opens,
      clickedCustomers: r.clicked,
      unsubscribed: r.unsubscribed,
      spamReports: r.spam,
    };
    if (r.action_id === null) totals = f;
    else byAction.set(r.action_id, f);
  }
  return { byAction, totals };
}

interface Row {
  action_id: string;
  status: string;
  skip_reasons: SkipReason[] | null;
  failure_reason: string | null;
  possible_duplicate: boolean;
  duplicate_confirmed: boolean;
  confirmed_late: boolean;
  n: string;
}

function add(into: ActionFigures, r: Row, n: number): void {
  const { status, skip_reasons: reasons } = r;
  into.customersReached += n;
  if (status === 'sent') {
    into.sent += n;
    if (r.possible_duplicate) into.possibleDuplicates += n;
    if (r.duplicate_confirmed) into.duplicatesConfirmed += n;
    if (r.confirmed_late) into.confirmedLate += n;
  } else if (status === 'failed') {
    into.failed += n;
    if (r.failure_reason === 'delivery_unknown') into.deliveryUnknown += n;
    if (r.failure_reason === 'lifetime_expired') into.lifetimeExpired += n;
  } else if (status === 'cancelled') {
    into.cancelled += n;
    if (r.failure_reason === 'cancelled_in_flight') into.cancelledInFlight += n;
  } else if (status === 'sending') into.inProgress += n;
  else if (status === 'unknown') into.awaitingWord += n;
  else if (status === 'skipped') {
    into.skipped.total += n;
    const rs = reasons ?? [];
    if (rs.length) into.skipped.byGroup[GROUP_OF[rs[0]]] += n;
    for (const r of rs) into.skipped.byReason[r] += n;
  }
}

export async function campaignReport(db: Db, campaignId: string): Promise<CampaignReport> {
  // Grouped in SQL: one row per (action, status, reason list), however many customers.
  const { rows }: { rows: Row[] } = await db.raw(
    `select action_id, status, skip_reasons, failure_reason, possible_duplicate, duplicate_confirmed,
            confirmed_by_event is not null as confirmed_late, count(*) as n
       from send_ledger where campaign_id = ? and not duplicate_run
      group by 1, 2, 3, 4, 5, 6, 7 order by action_id`,
    [campaignId],
  );
  const byAction = new Map<string, ActionFigures>();
  const totals = empty();
  for (const r of rows) {
    const n = Number(r.n);
    if (!byAction.has(r.action_id)) byAction.set(r.action_id, empty());
    add(byAction.get(r.action_id)!, r, n);
    add(totals, r, n);
  }
  const delivery = await deliveryFigures(db, campaignId);
  for (const [id, f] of byAction) f.delivery = delivery.byAction.get(id) ?? emptyDelivery();
  totals.delivery = delivery.totals;
  const stored = await loadReportCampaign(db, campaignId);
  const tree = stored?.tree ?? [];
  const splits = inTreeOrder(await splitReport(db, campaignId, stored?.campaign.goal), tree);
  return {
    campaignId,
    generatedAt: new Date().toISOString(),
    actions: inTreeOrder(
      [...byAction].map(([actionId, f]) => ({ actionId, ...f })),
      tree,
    ),
    totals,
    flow: inTreeOrder(await flowReport(db, campaignId, tree), tree),
    ...(stored ? { campaign: stored.campaign, tree } : {}),
    ...(splits.length ? { splits } : {}),
  };
}

// The report's columns: one list for the text table and the HTML report's table of every figure, so that a new count
// is one line here and shows in both.
export interface ReportColumn {
  /** the text table's header, and the HTML table's */
  head: string;
  of: (f: ActionFigures) => number;
}

export const REPORT_COLUMNS: readonly ReportColumn[] = [
  { head: 'reached', of: (f) => f.customersReached },
  { head: 'sent', of: (f) => f.sent },
  { head: 'late', of: (f) => f.confirmedLate },
  { head: 'maybe dup', of: (f) => f.possibleDuplicates },
  { head: 'dup', of: (f) => f.duplicatesConfirmed },
  { head: 'skipped', of: (f) => f.skipped.total },
  { head: 'channel', of: (f) => f.skipped.byGroup.unsubscribedFromChannel },
  { head: 'address', of: (f) => f.skipped.byGroup.addressIssue },
  { head: 'category', of: (f) => f.skipped.byGroup.unsubscribedFromCategory },
  { head: 'no customer', of: (f) => f.skipped.byGroup.customerNotFound },
  { head: 'failed', of: (f) => f.failed },
  { head: 'unknown', of: (f) => f.deliveryUnknown },
  { head: 'expired', of: (f) => f.lifetimeExpired },
  { head: 'cancelled', of: (f) => f.cancelled },
  { head: 'in flight', of: (f) => f.cancelledInFlight },
  { head: 'sending', of: (f) => f.inProgress },
  { head: 'awaiting', of: (f) => f.awaitingWord },
  { head: 'delivered', of: (f) => f.delivery.delivered },
  { head: 'bounced', of: (f) => f.delivery.bounced.total },
  { head: 'hard', of: (f) => f.delivery.bounced.hard },
  { head: 'soft', of: (f) => f.delivery.bounced.soft },
  { head: 'dropped', of: (f) => f.delivery.dropped },
  { head: 'opened', of: (f) => f.delivery.openedCustomers },
  { head: 'machine', of: (f) => f.delivery.machineOpens ?? 0 },
  { head: 'clicked', of: (f) => f.delivery.clickedCustomers },
  { head: 'unsub', of: (f) => f.delivery.unsubscribed },
  { head: 'spam', of: (f) => f.delivery.spamReports },
];

/** What the columns mean: under the text table, and in the HTML report's footer. */
export const REPORT_NOTES: readonly string[] = [
  'skipped groups: channel = unsubscribed from the e-mail channel; address = missing or invalid address; category = unsubscribed from the category',
  "late = sent, SendGrid's answer lost but one of its events proved it took the message; maybe dup = sent, possibly a second time (campaign resends unknown deliveries); dup = sent twice for certain",
  "failed includes unknown (delivery_unknown: no word from SendGrid) and expired (lifetime_expired); in flight = cancelled while SendGrid may have had it; awaiting = waiting for SendGrid's word",
  "from SendGrid's events (recipients only, never BCC copies): delivered, bounced (hard + soft), dropped; opened and clicked = unique customers (opened: in person; machine = with a machine open, e.g. Apple Mail's proxy, not in opened); unsub = sends unsubscribed through; spam = spam reports",
];

export function formatReport(r: CampaignReport): string {
  const head = ['action', ...REPORT_COLUMNS.map((c) => c.head)];
  const line = (id: string, f: ActionFigures) => [id, ...REPORT_COLUMNS.map((c) => String(c.of(f)))];
  const table = [head, ...r.actions.map((a) => line(a.actionId, a)), line('TOTAL', r.totals)];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `Campaign ${r.campaignId} (${r.generatedAt})`,
    fmt(head),
    ...table.slice(1).map(fmt),
    ...REPORT_NOTES,
    ...(r.flow.length ? ['', ...formatFlow(r.flow)] : []),
    ...(r.splits ?? []).flatMap((s) => ['', ...formatSplit(s, r.campaign?.goal)]),
  ].join('\n');
}

function formatFlow(flow: FlowFigures[]): string[] {
  const head = ['flow action', 'type', 'reached', 'waiting', 'cancelled', 'branches taken'];
  const rows = flow.map((f) => [
    f.actionId,
    f.type,
    ...[f.customersReached, f.waiting, f.cancelled].map(String),
    Object.entries(f.branches)
      .map(([b, n]) => `${b} ${n}`)
      .join(', '),
  ]);
  const table = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const cell = (c: string, i: number) => (i < 2 || i === head.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]));
  return table.map((row) => row.map(cell).join('  ').trimEnd());
}
