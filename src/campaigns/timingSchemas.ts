// Schemas of the timing settings shared by the campaign and its actions: a time zone, a time of day and the send window.
import { z } from 'zod';
import type { SendWindow } from '../contract';
import { isValidTimeZone, parseTimeOfDay } from './timing';

export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, 'must be an IANA time zone name such as "Europe/Moscow" or "UTC" (not an offset)');

const timeOfDay = z.string().refine((s) => parseTimeOfDay(s) !== undefined, 'must be a time of day "HH:MM" or "HH:MM:SS" (00:00-23:59:59)');

/** A daily window: `end` before `start` spans midnight; equal times are refused (an always-open window is no window). */
export const sendWindowSchema: z.ZodType<SendWindow, unknown> = z
  .strictObject({ start: timeOfDay, end: timeOfDay, timeZone: timeZoneSchema })
  .superRefine((w, ctx) => {
    if (parseTimeOfDay(w.start) === parseTimeOfDay(w.end))
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must differ from start (leave sendWindow out to send at any time)' });
  });
