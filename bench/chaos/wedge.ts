// A dev server whose SQLite store no longer answers. The Temporal CLI's dev server (1.5.1: server 1.29.1 on
// modernc.org/sqlite v1.34.1) can be left with its connection interrupted when requests are cancelled under load (worker
// kills, restarts): from then on every statement fails with "interrupted (9)" (SQLITE_INTERRUPT), shard, namespace and
// visibility calls included, and the server answers nothing until it restarts. Seen in a 20,000-customer chaos run on
// 2026-11-28, 90 s after the launch, and not over in the 90 s that followed (newer modernc.org/sqlite releases fix such
// interrupts: temporalio/temporal#9198). It is neither this project's fault nor one the plan injects, so the chaos run
// restarts the server when it sees it and counts those restarts apart from the planned one.

/** The messages of an error and of its causes, joined: a client's ServiceError carries the server's text in its cause. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  }
  return parts.join(': ');
}

/** The store's own words for the state, as the server returns them (e.g. `Query failed: interrupted (9)`). */
export const isSqliteInterrupt = (err: unknown): boolean => /\binterrupted \(9\)/.test(errorText(err));

/**
 * Watches the outcome of the run's periodic server calls: true once every call for `afterMs` has failed with the
 * interrupt (one that answers, or fails otherwise, such as during a planned restart, starts the count again).
 */
export class WedgeWatch {
  private since: number | null = null;
  constructor(private readonly afterMs = 20_000) {}

  /** `error`: what the call threw, or undefined when it answered. */
  observe(now: number, error?: unknown): boolean {
    if (error === undefined || !isSqliteInterrupt(error)) {
      this.since = null;
      return false;
    }
    this.since ??= now;
    return now - this.since >= this.afterMs;
  }

  reset(): void {
    this.since = null;
  }
}
