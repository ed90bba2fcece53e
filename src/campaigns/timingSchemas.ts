// Schemas of the timing settings shared by the campaign and its actions: a time zone, a time of day and the send window.
import { z } from 'zod';
import { WAIT_UNITS, waitDurationMs, type SendWindow, type WaitDuration } from '../contract';
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

const amount = z.number().int('must be a whole number').min(0, 'must not be negative').optional();

/**
 * A duration in whole days, hours, minutes and seconds (at least one given), from 1 second to `maxDays` days. `whenEmpty`
 * is added to the message for an object that gives none.
 */
export function durationSchema(maxDays: number, whenEmpty = ''): z.ZodType<WaitDuration, unknown> {
  return z.strictObject({ days: amount, hours: amount, minutes: amount, seconds: amount }).superRefine((d, ctx) => {
    if (!WAIT_UNITS.some((u) => d[u] !== undefined)) {
      ctx.addIssue({ code: 'custom', message: `must give at least one of: ${WAIT_UNITS.join(', ')}${whenEmpty}` });
      return;
    }
    const ms = waitDurationMs(d);
    if (ms < 1000) ctx.addIssue({ code: 'custom', message: 'must be at least 1 second' });
    if (ms > maxDays * 86_400_000) ctx.addIssue({ code: 'custom', message: `must be at most ${maxDays} days` });
  });
}
