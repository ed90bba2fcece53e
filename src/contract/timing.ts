// Timing data that crosses into a run (README "Campaign timing"): plain numbers and strings, no time-zone arithmetic.
// Zone math (a local date and time in an IANA zone, a daily window's next opening) needs Intl's time-zone data, whose
// rules change with Node releases; it runs outside the workflow (src/campaigns/timing.ts) and its results enter a
// run's history as input or as a local activity's result, so a replay never recomputes them.

export const WAIT_UNITS = ['days', 'hours', 'minutes', 'seconds'] as const;
export type WaitUnit = (typeof WAIT_UNITS)[number];
/** A Wait's duration as the campaign states it, e.g. { days: 3 } or { hours: 1, minutes: 30 }. */
export type WaitDuration = Partial<Record<WaitUnit, number>>;

const UNIT_MS: Record<WaitUnit, number> = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1_000 };
const UNIT_NAME: Record<WaitUnit, [string, string]> = {
  days: ['day', 'days'],
  hours: ['hour', 'hours'],
  minutes: ['minute', 'minutes'],
  seconds: ['second', 'seconds'],
};

export function waitDurationMs(d: WaitDuration): number {
  return WAIT_UNITS.reduce((ms, u) => ms + (d[u] ?? 0) * UNIT_MS[u], 0);
}

/** "3 days", "1 hour 30 minutes", "5 seconds": the units as given, largest first, zeros left out. */
export function describeWaitDuration(d: WaitDuration): string {
  const parts = WAIT_UNITS.filter((u) => (d[u] ?? 0) > 0).map((u) => `${d[u]} ${UNIT_NAME[u][d[u] === 1 ? 0 : 1]}`);
  return parts.length ? parts.join(' ') : '0 seconds';
}

/**
 * A daily send window in an IANA time zone: e-mails go out from `start` (inclusive) to `end` (exclusive), local time,
 * "HH:MM" or "HH:MM:SS". An `end` before `start` is a window across midnight (21:00-09:00).
 */
export interface SendWindow {
  start: string;
  end: string;
  timeZone: string;
}

export function describeSendWindow(w: SendWindow): string {
  return `${w.start}-${w.end} ${w.timeZone}`;
}

/** Where a Wait until waits to: resolved from the stored local date and time in its zone when the run started. */
export interface WaitUntilTarget {
  /** the instant, ISO 8601 in UTC */
  at: string;
  /** as the campaign states it: "2026-12-01T10:00" in `timeZone` */
  dateTime: string;
  timeZone: string;
}

/** When a send window next opens, as the sendWindowOpening local activity found it (null: it is open now). */
export interface SendWindowOpening {
  atMs: number;
  /** the opening in the window's own zone, for people: "2026-11-28 09:00:00 Europe/Moscow (+03:00)" */
  local: string;
}

export interface SendWindowQuery {
  window: SendWindow;
  /** the workflow's time when it asked */
  atMs: number;
}

/**
 * The task queue of a campaign's sends when the campaign limits its messages per minute: workers poll it with the
 * server-side rate limit of that campaign (src/temporal/sendQueues.ts), so the limit holds across every worker.
 */
export function sendsTaskQueue(runsTaskQueue: string, campaignId: string): string {
  return `${runsTaskQueue}-sends-${campaignId}`;
}
