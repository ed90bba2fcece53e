// Per variant of each split, and per group of each control group (issue 25), from the database: the flow log says which
// variant each run entered and when (one row per run that reached the split: outcome = the variant, reached_at = when it
// entered); every send of that run below the split (send_ledger by run_key and the actions under the split in the run's
// campaign version) belongs to that variant; send_delivery says what SendGrid saw of it; customer_tags_added says whether
// the customer reached the campaign's goal. Counts are of customers: sent = customers of the variant with at least one
// e-mail below the split sent, skipped = with at least one skipped, and so on.
import { loadCampaignVersion } from '../db/campaigns';
import type { Db } from '../db/knex';
import type { CampaignGoal } from '../campaigns/types';
import type { SplitFigures, VariantFigures } from './splitFigures';
import { compareVariants } from './variantComparisons';

type Kind = SplitFigures['kind'];
const KINDS: readonly Kind[] = ['split', 'controlGroup'];

interface RawAction {
  id: string;
  type: string;
  settings: Record<string, unknown>;
  children: RawAction[];
}

/** The action `id` of a stored document, read as plain JSON: a report reads versions whatever types they hold. */
function findAction(actions: unknown, id: string): RawAction | undefined {
  if (!Array.isArray(actions)) return undefined;
  for (const a of actions as RawAction[]) {
    if (a?.id === id) return a;
    const inner = findAction(a?.children, id);
    if (inner) return inner;
  }
  return undefined;
}

function descendants(a: RawAction): string[] {
  return (Array.isArray(a.children) ? a.children : []).flatMap((c) => [c.id, ...descendants(c)]);
}

/** The variants as the campaign declares them, in its order, with their share of customers in percent. */
function declared(kind: Kind, a: RawAction | undefined): { name: string; share?: number }[] {
  const s = a?.settings ?? {};
  if (kind === 'controlGroup') {
    const percent = typeof s.percent === 'number' ? s.percent : undefined;
    return [
      { name: 'target', ...(percent !== undefined ? { share: 100 - percent } : {}) },
      { name: 'control', ...(percent !== undefined ? { share: percent } : {}) },
    ];
  }
  const variants = Array.isArray(s.variants) ? (s.variants as { name?: unknown; weight?: unknown }[]) : [];
  const total = variants.reduce((n, v) => n + (typeof v.weight === 'number' ? v.weight : 0), 0);
  return variants
    .filter((v) => typeof v.name === 'string')
    .map((v) => ({
      name: v.name as string,
      ...(typeof v.weight === 'number' && total > 0 ? { share: Math.round((1000 * v.weight) / total) / 10 } : {}),
    }));
}

interface VariantRow {
  split: string;
  variant: string;
  reached: number;
  sent: number;
  skipped: number;
  delivered: number;
  opened: number;
  machine: number;
  clicked: number;
  unsubscribed: number;
  spam: number;
  goal: number | null;
}

/**
 * Every split and control group of the campaign that a run has reached, in no particular order (the caller sorts them by
 * the tree). `goal`: the campaign's (its latest version's), counted alike for every group, control included.
 */
export async function splitReport(db: Db, campaignId: string, goal: CampaignGoal | undefined): Promise<SplitFigures[]> {
  const seen: { v: number; action_id: string; action_type: Kind }[] = (
    await db.raw(
      `select campaign_version as v, action_id, action_type from flow_log
        where campaign_id = ? and action_type in ('split', 'controlGroup') group by 1, 2, 3 order by 1 desc`,
      [campaignId],
    )
  ).rows;
  if (seen.length === 0) return [];

  // The actions below each split, per campaign version (a later version may have moved them); the newest version that
  // holds a split declares its variants.
  const below: { version: number; split: string; action: string }[] = [];
  const kinds = new Map<string, Kind>();
  const declaredBy = new Map<string, { name: string; share?: number }[]>();
  const docs = new Map<number, unknown>();
  for (const s of seen) {
    if (!docs.has(s.v)) docs.set(s.v, (await loadCampaignVersion(db, campaignId, s.v))?.actions);
    const action = findAction(docs.get(s.v), s.action_id);
    if (action) for (const id of descendants(action)) below.push({ version: s.v, split: s.action_id, action: id });
    if (!kinds.has(s.action_id)) kinds.set(s.action_id, KINDS.includes(s.action_type) ? s.action_type : 'split');
    if (!declaredBy.has(s.action_id) && action) declaredBy.set(s.action_id, declared(kinds.get(s.action_id)!, action));
  }

  const { rows }: { rows: VariantRow[] } = await db.raw(
    `with below as (select * from json_to_recordset(?::json) as b(version int, split text, action text)),
          runs as (select run_key, action_id as split, outcome as variant, customer_id, reached_at, campaign_version
                     from flow_log
                    where campaign_id = ? and action_type in ('split', 'controlGroup') and outcome is not null),
          sends as (select r.run_key, r.split,
                           bool_or(l.status = 'sent') as sent,
                           bool_or(l.status = 'skipped') as skipped,
                           bool_or(d.status = 'delivered') as delivered,
                           bool_or(d.open_count > 0) as opened,
                           bool_or(d.machine_open_count > 0) as machine,
                           bool_or(d.click_count > 0) as clicked,
                           bool_or(d.unsubscribed_at is not null) as unsubscribed,
                           bool_or(d.spam_reported_at is not null) as spam
                      from runs r
                      join below b on b.version = r.campaign_version and b.split = r.split
                      join send_ledger l on l.run_key = r.run_key and l.action_id = b.action and not l.duplicate_run
                      left join send_delivery d on d.ledger_id = l.id
                     group by 1, 2)
     select r.split, r.variant,
            count(distinct r.customer_id)::int as reached,
            count(distinct r.customer_id) filter (where s.sent)::int as sent,
            count(distinct r.customer_id) filter (where s.skipped)::int as skipped,
            count(distinct r.customer_id) filter (where s.delivered)::int as delivered,
            count(distinct r.customer_id) filter (where s.opened)::int as opened,
            count(distinct r.customer_id) filter (where s.machine)::int as machine,
            count(distinct r.customer_id) filter (where s.clicked)::int as clicked,
            count(distinct r.customer_id) filter (where s.unsubscribed)::int as unsubscribed,
            count(distinct r.customer_id) filter (where s.spam)::int as spam,
            ${
              goal
                ? `count(distinct r.customer_id) filter (where exists (
                     select 1 from customer_tags_added t
                      where t.customer_id = r.customer_id and t.tag = ?
                        and t.added_at > r.reached_at and t.added_at <= r.reached_at + make_interval(days => ?)))::int`
                : 'null::int'
            } as goal
       from runs r left join sends s on s.run_key = r.run_key and s.split = r.split
      group by 1, 2`,
    [JSON.stringify(below), campaignId, ...(goal ? [goal.tag, goal.withinDays] : [])],
  );

  const out: SplitFigures[] = [];
  for (const [actionId, kind] of kinds) {
    const counted = new Map(rows.filter((r) => r.split === actionId).map((r) => [r.variant, r]));
    const names = declaredBy.get(actionId) ?? (kind === 'controlGroup' ? declared(kind, undefined) : []);
    // Variants the runs took that the declaring version no longer names (renamed in a later version) come last.
    const all = [...names, ...[...counted.keys()].filter((n) => !names.some((d) => d.name === n)).map((name) => ({ name }))];
    const variants: VariantFigures[] = all.map((d) => figures(d, counted.get(d.name), goal !== undefined));
    out.push({ actionId, kind, variants, comparisons: compareVariants(kind, variants, goal !== undefined) });
  }
  return out;
}

function figures(d: { name: string; share?: number }, r: VariantRow | undefined, hasGoal: boolean): VariantFigures {
  return {
    name: d.name,
    ...(d.share !== undefined ? { share: d.share } : {}),
    customersReached: r?.reached ?? 0,
    sent: r?.sent ?? 0,
    skipped: r?.skipped ?? 0,
    delivered: r?.delivered ?? 0,
    openedCustomers: r?.opened ?? 0,
    machineOpens: r?.machine ?? 0,
    clickedCustomers: r?.clicked ?? 0,
    unsubscribed: r?.unsubscribed ?? 0,
    spamReports: r?.spam ?? 0,
    ...(hasGoal ? { goalReached: r?.goal ?? 0 } : {}),
  };
}
