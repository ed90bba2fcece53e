// Time-zone arithmetic for Wait until and the send window, with Intl's IANA data (Node's full ICU). It runs outside
// workflows only: at validation, when a run starts (Wait until's instant goes into its input) and in the
// sendWindowOpening local activity (whose result is recorded in the run's history). A replay therefore never
// recomputes a zone's rules, which change with Node's time-zone data.
import type { SendWindow } from '../contract';

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const TIME_OF_DAY = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

// Keyed by the name as written: Intl takes any letter case ("europe/MOSCOW"), so a stream of hostile spellings could
// grow the map without end. Past MAX_FORMATTERS (far more than the ~600 zones) it starts again.
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 2000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for a time zone Intl knows by this name ("Europe/Moscow", "UTC"); offsets like "+03:00" are refused. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** "2026-12-01T10:00" or "...T10:00:30" as its fields, or undefined when it is not a real date and time. */
export function parseLocalDateTime(s: string): LocalDateTime | undefined {
  const m = LOCAL_DATE_TIME.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { year, month, day, hour, minute, second };
}

/** "09:00" or "09:00:30" as seconds after midnight, or undefined. */
export function parseTimeOfDay(s: string): number | undefined {
  const m = TIME_OF_DAY.exec(s);
  if (!m) return undefined;
  const [h, min, sec] = [m[1], m[2], m[3] ?? '0'].map(Number);
  return h > 23 || min > 59 || sec > 59 ? undefined : h * 3600 + min * 60 + sec;
}

/** The wall-clock fields in `timeZone` at instant `ms` (whole seconds). */
export function localFields(ms: number, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

const asUtc = (l: LocalDateTime) => Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);

/** The zone's offset from UTC at instant `ms`, in milliseconds (Moscow: +3 h). */
export function offsetMs(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return asUtc(localFields(whole, timeZone)) - whole;
}

/**
 * The instant a local date and time names in `timeZone`. Where clocks go back and the time occurs twice, the earlier;
 * where clocks go forward and it does not occur, it is moved forward by the gap (02:30 on a 02:00→03:00 night is 03:30):
 * the "compatible" rule of RFC 5545 and JavaScript's Temporal.
 */
export function zonedInstant(local: LocalDateTime, timeZone: string): number {
  const wall = asUtc(local);
  const DAY = 86_400_000;
  // Offsets a day either side cover any one transition near this wall time.
  const before = offsetMs(wall - DAY, timeZone);
  const after = offsetMs(wall + DAY, timeZone);
  const candidates = [...new Set([before, after])]
    .map((o) => wall - o)
    .filter((t) => offsetMs(t, timeZone) === wall - t)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0];
  return wall - before; // in the gap: the offset before the transition lands as far past it as the wall time was
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const min = Math.abs(ms) / 60_000;
  return `${sign}${pad(Math.floor(min / 60))}:${pad(min % 60)}`;
}

/** "2026-11-28 09:00:00 Europe/Moscow (+03:00)": an instant as people in that zone read it. */
export function describeInstant(ms: number, timeZone: string): string {
  const l = localFields(ms, timeZone);
  return `${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)} ${timeZone} (${formatOffset(offsetMs(ms, timeZone))})`;
}

/**
 * When the daily window next opens, seen from instant `atMs`; null when it is open at `atMs`. Each day's opening is that
 * day's `start` in the zone (moved forward if the clocks skip it); a window whose `end` is before its `start` runs across
 * midnight.
 */
export function nextWindowOpening(window: SendWindow, atMs: number): number | null {
  const start = parseTimeOfDay(window.start);
  const end = parseTimeOfDay(window.end);
  if (start === undefined || end === undefined || start === end) throw new Error(`not a valid send window: ${JSON.stringify(window)}`);
  const l = localFields(atMs, window.timeZone);
  const now = l.hour * 3600 + l.minute * 60 + l.second;
  const open = start < end ? now >= start && now < end : now >= start || now < end;
  if (open) return null;
  const opening = (dayOffset: number) => {
    const day = new Date(Date.UTC(l.year, l.month - 1, l.day + dayOffset));
    return zonedInstant(
      {
        year: day.getUTCFullYear(),
        month: day.getUTCMonth() + 1,
        day: day.getUTCDate(),
        hour: Math.floor(start / 3600),
        minute: Math.floor((start % 3600) / 60),
        second: start % 60,
      },
      window.timeZone,
    );
  };
  // Today's start, unless it has passed (or the clocks moved it behind us): then the next day's.
  for (let d = 0; d < 3; d++) {
    const t = opening(d);
    if (t > atMs) return t;
  }
  throw new Error(`no opening of ${JSON.stringify(window)} found after ${new Date(atMs).toISOString()}`);
}
