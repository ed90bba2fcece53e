// The Temporal server's counters from its Prometheus /metrics text, summed over every label but `operation`: what both
// benches count per run (persistence requests by operation, sticky workflow-task figures).

/** Counters named in `names`, summed by `name:operation` (operation '' when the line has none); comments skipped. */
export function parseServerCounters(text: string, names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || !names.includes(m[1])) continue;
    const op = /operation="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '';
    const key = `${m[1]}:${op}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[3]));
  }
  return out;
}

export async function fetchServerCounters(url: string, names: readonly string[]): Promise<Map<string, number>> {
  return parseServerCounters(await (await fetch(url)).text(), names);
}
