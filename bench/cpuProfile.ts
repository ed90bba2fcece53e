// `node dist/bench/cpuProfile.js FILE.cpuprofile... [--top N]`: where a worker's CPU went, from the profiles
// `BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" npm run bench` leaves (one file per thread: the main thread
// runs activities and the SDK's bridge, the others the workflow sandboxes). Prints, for all files together: the share of
// samples by owner (this project's code, the Temporal SDK, pg/knex, other packages, Node itself, GC, idle), then the
// top functions by self time and by inclusive time (time with everything they called; a function counted once per
// stack even when recursive).
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who owns a frame, by its script's path. */
export function ownerOf(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)' || fn === '(root)') return 'V8/native';
  if (/node_modules\/(pg|pg-[a-z-]+|knex|postgres-[a-z-]+)\//.test(url)) return 'pg/knex';
  if (url.includes('node_modules/@temporalio/')) return 'Temporal SDK';
  if (url.includes('node_modules/')) return `package ${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)![1]}`;
  // The workflow bundles hold this project's workflow code and the SDK's workflow library, bundled together.
  if (url.endsWith('bundle.js')) return 'workflow bundle';
  if (url.includes('/dist/src/') || url.includes('/dist/bench/')) return 'project';
  if (url.startsWith('node:') || url === '') return 'Node';
  return 'other';
}

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url
    ? `${url
        .replace(/^file:\/\//, '')
        .replace(/.*node_modules\//, '')
        .replace(/.*\/dist\//, 'dist/')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

export function summarise(profiles: Profile[], top = 25) {
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const owners = new Map<string, number>();
  let total = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    p.samples.forEach((id, i) => {
      const us = p.timeDeltas[i] ?? 0;
      const n = byId.get(id)!;
      if (n.callFrame.functionName === '(idle)') return; // waiting, not working
      total += us;
      const l = label(n);
      self.set(l, (self.get(l) ?? 0) + us);
      const owner = ownerOf(n.callFrame.url, n.callFrame.functionName);
      owners.set(owner, (owners.get(owner) ?? 0) + us);
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const cl = label(byId.get(cur)!);
        if (seen.has(cl)) continue;
        seen.add(cl);
        incl.set(cl, (incl.get(cl) ?? 0) + us);
      }
    });
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: Math.round(total / 1000),
    owners: sorted(owners).map(([k, v]) => `${pct(v)}  ${k}`),
    self: sorted(self)
      .slice(0, top)
      .map(([k, v]) => `${pct(v)}  ${k}`),
    inclusive: sorted(incl)
      .filter(([k]) => !k.startsWith('(root)'))
      .slice(0, top)
      .map(([k, v]) => `${pct(v)}  ${k}`),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
  const files = args.filter((a, i) => a.endsWith('.cpuprofile') && args[i - 1] !== '--top');
  if (files.length === 0) throw new Error('usage: node dist/bench/cpuProfile.js FILE.cpuprofile... [--top N]');
  const s = summarise(
    files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Profile),
    top,
  );
  console.log(`${files.map((f) => path.basename(f)).join(', ')}: ${s.totalMs} ms of samples (idle left out)`);
  console.log('\nby owner:');
  s.owners.forEach((l) => console.log(`  ${l}`));
  console.log(`\ntop ${top} by self time:`);
  s.self.forEach((l) => console.log(`  ${l}`));
  console.log(`\ntop ${top} by inclusive time:`);
  s.inclusive.forEach((l) => console.log(`  ${l}`));
}

if (require.main === module) main();
