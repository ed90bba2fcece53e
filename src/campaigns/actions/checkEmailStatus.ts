// checkEmailStatus: branches on what became of an e-mail an ancestor Send e-mail sent (SmartCom's four statuses). The
// settings are checked here; that the e-mail action is an ancestor and that the branches name exactly the children is
// a check of the tree (validate.ts), since it needs the action's place in it.
import { z } from 'zod';
import { EMAIL_STATUSES } from '../../contract';
import { MAX_CHECK_WAIT_DAYS, type CheckEmailStatusSettings } from '../types';
import { durationSchema } from '../timingSchemas';
import type { ActionTypeDef } from '../actionTypeDef';

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

export const checkEmailStatus: ActionTypeDef<CheckEmailStatusSettings> = {
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
};
