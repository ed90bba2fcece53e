// The campaign's shape as a run carries it (ActionNode): ids, types, children, and what each type's handler needs of
// its settings (its definition's treeFields: a Wait's duration, a Wait until's instant resolved now with this process's
// time-zone data, an e-mail's send window...). Built from the stored version when a run starts, by our client or by the
// run itself; and checked against it when a client hands one in.
import { sendsTaskQueue, type ActionNode } from '../contract';
import { definitionOf } from '../actions';
import type { Action, Campaign } from './types';

export function actionTree(campaign: Campaign): ActionNode[] {
  const tree = (actions: Action[]): ActionNode[] =>
    actions.map((a) => ({
      id: a.id,
      type: a.type,
      children: tree(a.children),
      ...definitionOf(a.type).treeFields?.(a.settings, campaign),
    }));
  return tree(campaign.actions);
}

/** The task queue a run's sends go to: the campaign's own, rate-limited queue when it limits its messages per minute. */
export function sendTaskQueueOf(campaign: Campaign, runsTaskQueue: string): string | undefined {
  return campaign.messagesPerMinute ? sendsTaskQueue(runsTaskQueue, campaign.id) : undefined;
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

/**
 * Where a tree handed in by a client differs from the stored version's, in one line naming the action (null when they
 * agree). Each node is compared as its type's definition says (comparedInTree: a Wait until by its local date, time and
 * zone, from which its instant follows).
 */
export function treeMismatch(given: unknown, stored: ActionNode[]): string | null {
  const walk = (g: unknown, s: ActionNode[], path: string): string | null => {
    if (!Array.isArray(g)) return `${path || 'actions'} is not a list of actions`;
    const byId = new Map(s.map((n) => [n.id, n]));
    for (const [i, node] of g.entries()) {
      const n = node as Partial<ActionNode> | null;
      const at = `${path}[${i}]`;
      if (!n || typeof n !== 'object' || typeof n.id !== 'string') return `actions${at} has no id`;
      const want = byId.get(n.id);
      if (!want) return `action "${n.id}" is not ${path ? 'a child there' : 'a root'} in the stored version`;
      if (n.type !== want.type) return `action "${n.id}" is a ${want.type} in the stored version, not a ${String(n.type)}`;
      const { children, ...rest } = n;
      const { children: wantChildren, ...wantRest } = want;
      const compared = definitionOf(want.type)?.comparedInTree ?? ((node: Partial<ActionNode>) => node);
      if (canonical(compared(rest)) !== canonical(compared(wantRest)))
        return `action "${n.id}" has settings other than the stored version's`;
      const inner = walk(children, wantChildren, `${at}.children`);
      if (inner) return inner;
    }
    if (g.length !== s.length) {
      const missing = s.filter((n) => !g.some((x) => (x as ActionNode)?.id === n.id)).map((n) => `"${n.id}"`);
      return `${missing.length ? `action ${missing.join(', ')} is missing` : 'an action is repeated'}${path ? ` under actions${path}` : ''}`;
    }
    return null;
  };
  return walk(given, stored, '');
}
