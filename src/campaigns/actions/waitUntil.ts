// waitUntil: continues at a local date and time in an IANA zone. The instant is resolved when a run starts (its input
// carries it); a moment already past when the run reaches the action continues at once.
import { z } from 'zod';
import type { WaitUntilSettings } from '../types';
import type { ActionTypeDef } from '../actionTypeDef';
import { parseLocalDateTime } from '../timing';
import { timeZoneSchema } from '../timingSchemas';

const dateTime = z.string().superRefine((s, ctx) => {
  const l = parseLocalDateTime(s);
  if (!l)
    ctx.addIssue({
      code: 'custom',
      message: 'must be a real local date and time "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS", without an offset (timeZone says where)',
    });
  else if (l.year < 2000 || l.year > 2100) ctx.addIssue({ code: 'custom', message: 'the year must be 2000-2100' });
});

export const waitUntil: ActionTypeDef<WaitUntilSettings> = {
  settingsSchema: () => z.strictObject({ dateTime, timeZone: timeZoneSchema }),
};
