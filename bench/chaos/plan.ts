// The chaos run's schedule, drawn from a seed before anything starts and printed, so that a run can be repeated: when to
// kill a worker process, at what share of closed runs to restart the Temporal dev server and Postgres and to take the
// HTTP service (SendGrid's event webhook) away for a while, the SendGrid fake's fault rates and bursts, and how many
// customers to change while the launch runs.
import type { FaultKind } from '../../dev/sendgridFake';
import { seededRandom } from '../../dev/seededRandom';
import type { UnknownDelivery } from '../../src/campaigns/types';
import { CATEGORY_A, CATEGORY_B, CHANGE_KINDS, type ChangeKind } from './customers';

/** The fake's faults a chaos run injects (each at least once). */
export const CHAOS_FAULTS = ['429', '500', '503', 'accept-then-500', 'accept-then-slow', 'drop'] as const satisfies readonly FaultKind[];
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export interface Burst {
  /** ms after the previous burst ended (the first: after the launch started) */
  gapMs: number;
  kind: ChaosFault;
  durationMs: number;
  /** share of requests the burst's kind hits while it lasts */
  rate: number;
}

export interface ChaosPlan {
  seed: number;
  customers: number;
  unknownDelivery: UnknownDelivery;
  workers: number;
  /** ms between worker kills, in order (the first: after the launch started); a kill waits until two workers poll */
  killGapsMs: number[];
  /** for each kill, which of the ready workers dies: a number in [0, 1) */
  killPicks: number[];
  /** the share of runs closed at which the Temporal dev server restarts, and at which Postgres restarts */
  temporalRestartAt: number;
  postgresRestartAt: number;
  /**
   * The HTTP service (the event webhook) is closed at this share of closed runs and listens again `ms` later: longer than
   * the campaign's unknownDeliveryWait, so that some lost answers meet SendGrid's silence (the fake retries its batches)
   * and their events settle the ledger only after the run decided.
   */
  serviceOutage: { at: number; ms: number };
  /** the campaign's unknownDeliveryWait: how long a run waits for SendGrid's word on a send whose answer was lost */
  unknownDeliveryWaitMs: number;
  /** the fake's fault rates outside bursts */
  baseRates: Record<ChaosFault, number>;
  bursts: Burst[];
  /** the SendGrid client's timeout in the workers, and how long 'accept-then-slow' holds its answer (longer) */
  sendgridTimeoutMs: number;
  slowMs: number;
  /** customers changed while the launch runs, by kind, in this order; spread until this share of runs is closed */
  changes: ChangeKind[];
  changesUntil: number;
  /** seed of the choice of customers to change */
  changeSeed: number;
}

/**
 * The chaos campaign's wait for SendGrid's word (the product's default is 15 minutes): long enough for the fake's events
 * to reach the service on a loaded machine, short enough that a run ends in seconds when they do not.
 */
export const UNKNOWN_DELIVERY_WAIT_MS = 20_000;

/** How far ahead the time-based parts of the plan reach: longer than any run. */
const HORIZON_MS = 6 * 60 * 60_000;

function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const between = (random: () => number, lo: number, hi: number) => lo + random() * (hi - lo);

export function planChaos(o: { seed: number; customers: number; unknownDelivery: UnknownDelivery; workers: number }): ChaosPlan {
  // One generator per part, so that changing how one part is drawn leaves the others as they were.
  const part = (k: number) => seededRandom(o.seed * 7919 + k);
  const kills = part(1);
  const killGapsMs: number[] = [];
  for (let t = 0; t < HORIZON_MS;) {
    const gap = Math.round(between(kills, 3_000, 8_000));
    killGapsMs.push(gap);
    t += gap;
  }
  const picks = part(2);
  const restarts = part(3);
  const burstRandom = part(4);
  const bursts: Burst[] = [];
  let kinds: ChaosFault[] = [];
  for (let t = 0; t < HORIZON_MS;) {
    if (kinds.length === 0) kinds = shuffled(CHAOS_FAULTS, burstRandom); // each kind in turn, in a drawn order
    const kind = kinds.pop()!;
    const b: Burst = {
      gapMs: Math.round(between(burstRandom, 10_000, 30_000)),
      kind,
      durationMs: Math.round(between(burstRandom, 2_000, 5_000)),
      // A 429 burst is SendGrid's rate limit: nearly every request until the window resets.
      rate: kind === '429' ? 0.8 : kind === '500' || kind === '503' ? 0.3 : 0.15,
    };
    bursts.push(b);
    t += b.gapMs + b.durationMs;
  }
  // About 4 % of the customers change subscription or address quality and 1 % are deleted, every kind at least once.
  const changeRandom = part(5);
  const outage = part(8); // 6 is the choice of customers to change, 7 the audience (bench/chaos.ts)
  const subscriptionChanges = Math.max(4, Math.round(o.customers * 0.04));
  const deletes = Math.max(1, Math.round(o.customers * 0.01));
  const rest = [
    ...Array.from({ length: subscriptionChanges - 4 }, () => CHANGE_KINDS[Math.floor(changeRandom() * 4)]),
    ...Array.from({ length: deletes - 1 }, () => 'delete' as const),
  ];
  return {
    seed: o.seed,
    customers: o.customers,
    unknownDelivery: o.unknownDelivery,
    workers: o.workers,
    killGapsMs,
    killPicks: killGapsMs.map(() => picks()),
    temporalRestartAt: Math.round(between(restarts, 0.2, 0.4) * 100) / 100,
    postgresRestartAt: Math.round(between(restarts, 0.5, 0.7) * 100) / 100,
    serviceOutage: { at: Math.round(between(outage, 0.05, 0.15) * 100) / 100, ms: Math.round(between(outage, 25_000, 35_000)) },
    unknownDeliveryWaitMs: UNKNOWN_DELIVERY_WAIT_MS,
    baseRates: { '429': 0.01, '500': 0.01, '503': 0.01, 'accept-then-500': 0.005, 'accept-then-slow': 0.003, drop: 0.005 },
    bursts,
    sendgridTimeoutMs: 5_000,
    slowMs: 6_000,
    changes: [...shuffled(CHANGE_KINDS, changeRandom), ...shuffled(rest, changeRandom)],
    changesUntil: 0.7,
    changeSeed: o.seed * 7919 + 6,
  };
}

/** The fake's rates during a burst (or outside one): the base rates, with the burst's kind raised. */
export function ratesDuring(plan: ChaosPlan, burst: Burst | null): Partial<Record<FaultKind, number>> {
  const rates: Partial<Record<FaultKind, number>> = { ...plan.baseRates };
  if (burst) rates[burst.kind] = burst.rate;
  return rates;
}

/** The plan as printed at the start. */
export function describePlan(p: ChaosPlan): string[] {
  const first = <T>(xs: T[], f: (x: T) => string, k = 8) => `${xs.slice(0, k).map(f).join(', ')}, ...`;
  const count = (k: ChangeKind) => p.changes.filter((c) => c === k).length;
  return [
    `chaos plan (seed ${p.seed}; the same seed and customer count give the same plan):`,
    `  ${p.customers} customers, Send e-mail (${CATEGORY_A.code}) -> Set tag -> Send e-mail (${CATEGORY_B.code}), unknownDelivery ${p.unknownDelivery}`,
    `  ${p.workers} worker processes (runs and launches); SIGKILL one every 3-8 s once another polls, gaps: ${first(p.killGapsMs, (g) => `${(g / 1000).toFixed(1)}s`)}`,
    `  restart the Temporal dev server (same SQLite file and ports) when ${Math.round(p.temporalRestartAt * 100)} % of the runs are closed`,
    `  restart Postgres (the dedicated cluster) when ${Math.round(p.postgresRestartAt * 100)} % of the runs are closed`,
    `  close the HTTP service (SendGrid's event webhook) when ${Math.round(p.serviceOutage.at * 100)} % of the runs are closed, for ${(p.serviceOutage.ms / 1000).toFixed(0)} s; the campaign waits ${p.unknownDeliveryWaitMs / 1000} s for SendGrid's word on a lost answer`,
    `  SendGrid fake: one of each fault at the start, then at rates ${Object.entries(p.baseRates)
      .map(([k, r]) => `${k} ${r * 100}%`)
      .join(', ')}; SendGrid client timeout ${p.sendgridTimeoutMs / 1000}s, accept-then-slow answers after ${p.slowMs / 1000}s`,
    `  bursts (gap, kind, length, rate): ${first(p.bursts, (b) => `+${(b.gapMs / 1000).toFixed(0)}s ${b.kind} ${(b.durationMs / 1000).toFixed(1)}s ${b.rate * 100}%`, 6)}`,
    `  customers changed while not yet sent, until ${Math.round(p.changesUntil * 100)} % of the runs are closed: ${CHANGE_KINDS.map((k) => `${k} ${count(k)}`).join(', ')}`,
  ];
}
