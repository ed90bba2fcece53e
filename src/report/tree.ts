// The campaign's actions in the order a marketer reads the campaign: depth first, children in the document's order, each
// with where it hangs (its parent, and under a Check e-mail status the statuses it runs on). The report lists its
// figures in this order, and the HTML report draws the tree from it.
import { definitionOf } from '../actions';
import type { Action, Campaign } from '../campaigns/types';

export interface ReportTreeNode {
  actionId: string;
  type: Action['type'];
  /** 0 for a root */
  depth: number;
  parentId: string | null;
  /** under a Check e-mail status: the statuses on which this child runs */
  runsOn?: string[];
  /** what a marketer knows the action by: a Send e-mail's subject, a Set tag's tag (campaign text: escape it) */
  label?: string;
  /** a flow action whose branches its settings name (a Split's variants: campaign text): those branches */
  branches?: string[];
}

export function reportTree(campaign: Campaign): ReportTreeNode[] {
  const out: ReportTreeNode[] = [];
  const walk = (actions: Action[], parent: Action | null, depth: number) => {
    for (const a of actions) {
      // A type this build does not know (a version stored by a newer one) is drawn without its label.
      const runsOn = parent ? definitionOf(parent.type as unknown)?.report.childRunsOn?.(parent.settings, a.id) : undefined;
      const label = definitionOf(a.type as unknown)?.report.label?.(a.settings);
      const branches = definitionOf(a.type as unknown)?.report.branches;
      out.push({
        actionId: a.id,
        type: a.type,
        depth,
        parentId: parent?.id ?? null,
        ...(runsOn ? { runsOn: [...runsOn] } : {}),
        ...(label !== undefined ? { label } : {}),
        ...(typeof branches === 'function' ? { branches: [...branches(a.settings)] } : {}),
      });
      walk(a.children, a, depth + 1);
    }
  };
  walk(campaign.actions, null, 0);
  return out;
}

/** `items` in the tree's order; those the tree does not hold (actions of an earlier version) last, by id. */
export function inTreeOrder<T extends { actionId: string }>(items: T[], tree: ReportTreeNode[]): T[] {
  const rank = new Map(tree.map((n, i) => [n.actionId, i]));
  const key = (t: T) => rank.get(t.actionId) ?? tree.length;
  return [...items].sort((a, b) => key(a) - key(b) || (a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0));
}
