// wait: continues after a duration. Seconds are allowed too (tests and demos wait seconds, not days); the total must be
// at least a second and at most MAX_WAIT_DAYS days.
import { z } from 'zod';
import { WAIT_UNITS, waitDurationMs } from '../../contract';
import { MAX_WAIT_DAYS, type WaitSettings } from '../types';
import type { ActionTypeDef } from '../actionTypeDef';

const amount = z.number().int('must be a whole number').min(0, 'must not be negative').optional();

export const wait: ActionTypeDef<WaitSettings> = {
  settingsSchema: () =>
    z.strictObject({
      duration: z.strictObject({ days: amount, hours: amount, minutes: amount, seconds: amount }).superRefine((d, ctx) => {
        if (!WAIT_UNITS.some((u) => d[u] !== undefined)) {
          ctx.addIssue({ code: 'custom', message: `must give at least one of: ${WAIT_UNITS.join(', ')}` });
          return;
        }
        const ms = waitDurationMs(d);
        if (ms < 1000) ctx.addIssue({ code: 'custom', message: 'must be at least 1 second' });
        if (ms > MAX_WAIT_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_WAIT_DAYS} days` });
      }),
    }),
};
