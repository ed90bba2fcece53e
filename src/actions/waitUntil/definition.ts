// waitUntil: continues at a local date and time in an IANA zone. The instant is resolved when a run starts (its input
// carries it); a moment already past when the run reaches the action continues at once.
import { z } from 'zod';
import { parseLocalDateTime, zonedInstant } from '../../campaigns/timing';
import { timeZoneSchema } from '../../campaigns/timingSchemas';
import type { ActionDefinition } from '../definition';

/** Wait until: continue at a local date and time in an IANA zone; a moment already past continues at once. */
export interface WaitUntilSettings {
  /** "2026-12-01T10:00" or "2026-12-01T10:00:30", no offset: the zone says which instant it is */
  dateTime: string;
  timeZone: string;
}

const dateTime = z.string().superRefine((s, ctx) => {
  const l = parseLocalDateTime(s);
  if (!l)
    ctx.addIssue({
      code: 'custom',
      message: 'must be a real local date and time "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS", without an offset (timeZone says where)',
    });
  else if (l.year < 2000 || l.year > 2100) ctx.addIssue({ code: 'custom', message: 'the year must be 2000-2100' });
});

export const waitUntil: ActionDefinition<WaitUntilSettings> = {
  title: 'Wait until',
  settingsSchema: () => z.strictObject({ dateTime, timeZone: timeZoneSchema }),
  // The instant, resolved now with this process's time-zone data; the local date, time and zone say which it is.
  treeFields: ({ dateTime, timeZone }) => ({
    waitUntil: { at: new Date(zonedInstant(parseLocalDateTime(dateTime)!, timeZone)).toISOString(), dateTime, timeZone },
  }),
  // The instant follows from the local date, time and zone, by the time-zone data of the process that resolved it.
  comparedInTree: ({ waitUntil, ...rest }) => ({
    ...rest,
    waitUntil: waitUntil ? { dateTime: waitUntil.dateTime, timeZone: waitUntil.timeZone } : undefined,
  }),
  report: { branches: ['continued'] },
};
