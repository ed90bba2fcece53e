// checkEmailStatus: branches on what became of an e-mail an ancestor Send e-mail sent (SmartCom's four statuses). The
// settings are checked by the schema; that the e-mail action is an ancestor and that the branches name exactly the
// children is a check of the tree (checkInTree), since it needs the action's place in it.
import { z } from 'zod';
import { EMAIL_STATUSES, type EmailStatus, type WaitDuration } from '../../contract';
import { joinPath, MAX_KEY_IN_PATH } from '../../campaigns/jsonPath';
import { durationSchema } from '../../campaigns/timingSchemas';
import { quote } from '../../email/quote';
import type { ActionDefinition, TreeCheck } from '../definition';

/**
 * Check e-mail status: decides the status of an e-mail an ancestor Send e-mail sent, at once or, with `waitUpTo`, on a
 * click or at the end of that window, and runs the children mapped to that status.
 */
export interface CheckEmailStatusSettings {
  /** the id of a Send e-mail action that is an ancestor of this check */
  emailActionId: string;
  /** how long to wait for a click (at most MAX_CHECK_WAIT_DAYS); absent: decide at once */
  waitUpTo?: WaitDuration;
  /** each child's id -> the statuses on which it runs (every child has at least one; a status may have none) */
  branches: Record<string, EmailStatus[]>;
}

/** the longest a Check e-mail status waits for a click (Braze's Action Paths allow 31 days too) */
export const MAX_CHECK_WAIT_DAYS = 31;

const statuses = z
  .array(z.enum(EMAIL_STATUSES, { error: `must be one of: ${EMAIL_STATUSES.join(', ')}` }))
  .min(1, `must list at least one status (${EMAIL_STATUSES.join(', ')})`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s)) ctx.addIssue({ code: 'custom', path: [i], message: `"${s}" is listed twice` });
      seen.add(s);
    });
  });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A check names a Send e-mail above it, and its branches name exactly its children. Reads the document's own keys:
 * zod builds records by assignment, which drops a key "__proto__".
 */
function checkInTree({ node, settings, path, ancestors, definitionOf, error }: TreeCheck): void {
  const emailActionId = settings.emailActionId;
  if (typeof emailActionId === 'string' && emailActionId !== '') {
    const emailPath = joinPath(path, ['settings', 'emailActionId']);
    const above = ancestors.find((x) => x.id === emailActionId);
    const names = ancestors.map((x) => (typeof x.id === 'string' ? quote(x.id) : '?')).join(', ');
    if (!above)
      error(emailPath, `must name a Send e-mail action above this one (above it: ${names || 'nothing'}); got ${quote(emailActionId)}`);
    else if (!definitionOf(above.type)?.sendsEmail)
      error(emailPath, `${quote(emailActionId)} is a ${quote(String(above.type))} action, not a Send e-mail`);
  }

  const branches = settings.branches;
  if (!isObject(branches)) return;
  const children = Array.isArray(node.children)
    ? node.children.flatMap((c: unknown) => (isObject(c) && typeof c.id === 'string' ? [c.id] : []))
    : [];
  const childList = children.map((c) => quote(c)).join(', ') || 'none';
  const branchesPath = joinPath(path, ['settings', 'branches']);
  for (const key of Object.keys(branches)) {
    if (children.includes(key)) continue;
    if (key.length <= MAX_KEY_IN_PATH)
      error(joinPath(branchesPath, [key]), `unknown key ${quote(key)}: not a child of this action (children: ${childList})`);
    else error(branchesPath, `unknown key ${quote(key)} (${key.length} characters): not a child of this action (children: ${childList})`);
  }
  for (const child of children)
    if (!Object.hasOwn(branches, child))
      error(branchesPath, `child ${quote(child)} has no status: give it one or more of ${EMAIL_STATUSES.join(', ')}`);
}

export const checkEmailStatus: ActionDefinition<CheckEmailStatusSettings> = {
  title: 'Check e-mail status',
  settingsSchema: () =>
    z.strictObject({
      emailActionId: z
        .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be the id of a Send e-mail action above this one') })
        .min(1, 'must not be empty'),
      waitUpTo: durationSchema(MAX_CHECK_WAIT_DAYS, ' (or leave waitUpTo out to decide at once)').optional(),
      branches: z.record(z.string(), statuses, {
        error: (i) => (i.input === undefined ? 'is required' : 'must be an object: child action id -> list of statuses'),
      }),
    }),
  checkInTree,
  // Which e-mail, how long to wait for a click, which children run on which status, and the campaign's machineOpens when
  // it counts them (absent otherwise: the tree, input and history of a run are what they were before the setting
  // existed). Its emailStatus activity reads only the ledger.
  treeFields: ({ emailActionId, waitUpTo, branches }, campaign) => ({
    emailCheck: {
      emailActionId,
      ...(waitUpTo ? { waitUpTo: { ...waitUpTo } } : {}),
      branches: structuredClone(branches),
      ...(campaign.machineOpens === 'counted' ? { machineOpens: 'counted' as const } : {}),
    },
  }),
  report: {
    branches: [...EMAIL_STATUSES, 'email_not_sent'],
    branchesCaption: 'the branches taken',
    childRunsOn: (settings, childId) => settings.branches[childId],
  },
};
