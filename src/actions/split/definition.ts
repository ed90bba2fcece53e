// split: an A/B test. Each customer takes one variant, by weight, and only that variant's children run. The settings are
// checked by the schema (names, weights summing to 100); that the variants share out exactly the action's children is a
// check of the tree (checkInTree). The run carries the variants (treeFields) and assigns with the contract's
// assignVariant, shared with the Control group (src/workflows/actions/variants.ts).
import { z } from 'zod';
import type { SplitVariant } from '../../contract';
import { joinPath } from '../../campaigns/jsonPath';
import { quote } from '../../email/quote';
import type { ActionDefinition, TreeCheck } from '../definition';

export interface SplitSettings {
  /** 2 to 5 variants; their weights sum to 100 */
  variants: SplitVariant[];
}

export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 5;

const variantName = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 characters: letters, digits, _ and -')
  // The flow log's outcome `cancelled` means a run cancelled while it waited: a variant may not be counted as one.
  .refine((s) => s.toLowerCase() !== 'cancelled', '"cancelled" is reserved: choose another name');
const weight = z
  .number({ error: (i) => (i.input === undefined ? 'is required' : 'must be a whole number from 1 to 99') })
  .int('must be a whole number from 1 to 99')
  .min(1, 'must be at least 1 (a variant nobody takes is no variant: remove it)')
  .max(99, 'must be at most 99');
/** ids of the action's children; which are, is the tree's check */
export const childIds = z.array(z.string({ error: 'must be the id of a child of this action' }), {
  error: 'must be a list of ids of children of this action',
});

const variant = z.strictObject({ name: variantName, weight, children: childIds.default([]) });

const variants = z
  .array(variant, { error: (i) => (i.input === undefined ? 'is required' : 'must be a list of variants: { name, weight, children }') })
  .min(MIN_VARIANTS, `must list at least ${MIN_VARIANTS} variants`)
  .max(MAX_VARIANTS, `must list at most ${MAX_VARIANTS} variants`)
  // zod runs this even when a variant failed: it judges only what the variants' own checks let through, so that a
  // problem is reported once (a bad weight, not also the sum it spoils).
  .superRefine((list, ctx) => {
    if (list.length < MIN_VARIANTS || list.length > MAX_VARIANTS) return;
    const seen = new Map<string, number>();
    list.forEach((v, i) => {
      if (typeof v?.name !== 'string') return;
      const key = v.name.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `${quote(v.name)} is variants[${seen.get(key)}]'s name too (names are compared without case)`,
        });
      else seen.set(key, i);
    });
    if (!list.every((v) => weight.safeParse(v?.weight).success)) return;
    const sum = list.reduce((n, v) => n + v.weight, 0);
    if (sum !== 100) ctx.addIssue({ code: 'custom', path: [], message: `weights sum to ${sum}, must sum to 100` });
  });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A list of child ids in the settings, and what the error for a child in none of the lists calls them. */
export interface ChildList {
  /** its JSON path */
  path: string;
  /** the list, as the document has it */
  ids: unknown;
}

/**
 * The lists share out exactly the action's children: each id is a child, no child is in two lists (or twice in one),
 * and every child is in one. `where` names the lists in the error for a child in none ("in no variant").
 */
export function checkChildLists(check: TreeCheck, lists: ChildList[], where: { path: string; none: string }): void {
  const { node, error } = check;
  const children = Array.isArray(node.children)
    ? node.children.flatMap((c: unknown) => (isObject(c) && typeof c.id === 'string' ? [c.id] : []))
    : [];
  const childList = children.map((c) => quote(c)).join(', ') || 'none';
  const listedAt = new Map<string, string>();
  let whole = true;
  for (const list of lists) {
    if (!Array.isArray(list.ids)) {
      whole = false; // the schema's error; which children it leaves out is then unknown
      continue;
    }
    list.ids.forEach((id: unknown, j) => {
      if (typeof id !== 'string') return; // the schema's error
      const at = joinPath(list.path, [j]);
      if (!children.includes(id)) error(at, `${quote(id)} is not a child of this action (children: ${childList})`);
      else if (listedAt.has(id)) error(at, `${quote(id)} is listed at ${listedAt.get(id)} too: a child runs for one ${where.none} only`);
      else listedAt.set(id, at);
    });
  }
  if (whole)
    for (const child of children)
      if (!listedAt.has(child)) error(where.path, `child ${quote(child)} is in no ${where.none}: list it in the children of one`);
}

/** Every child of a split is in exactly one variant's children. Reads the document itself: settings may be wrong. */
function checkInTree(check: TreeCheck): void {
  const path = joinPath(check.path, ['settings', 'variants']);
  const list = check.settings.variants;
  if (!Array.isArray(list)) return;
  const lists = list.map((v: unknown, i) => ({ path: joinPath(path, [i, 'children']), ids: isObject(v) ? (v.children ?? []) : undefined }));
  checkChildLists(check, lists, { path, none: 'variant' });
}

export const split: ActionDefinition<SplitSettings> = {
  title: 'Split',
  settingsSchema: () => z.strictObject({ variants }),
  checkInTree,
  // The variants, their weights and children: everything the run needs to assign a customer and go on.
  treeFields: ({ variants }) => ({
    split: { variants: variants.map((v) => ({ name: v.name, weight: v.weight, children: [...v.children] })) },
  }),
  report: {
    // As a report reads any stored version: without trusting the defaults (a variant's children may be absent).
    branches: (settings) => settings.variants.map((v) => v.name),
    branchesCaption: 'the variants taken',
    label: (settings) => settings.variants.map((v) => `${v.name} ${v.weight} %`).join(' · '),
    childRunsOn: (settings, childId) => {
      const on = settings.variants.filter((v) => v.children?.includes(childId)).map((v) => v.name);
      return on.length ? on : undefined;
    },
  },
};
