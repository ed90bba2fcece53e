// What processes cost, read from /proc: CPU seconds of a process, of Postgres, of the whole machine, per thread, and
// peak resident memory. Shared by the benchmark and the chaos run.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by each PostgreSQL process (the postmaster and its backends), by process id. */
export function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') out.set(Number(pid), cpuSeconds(Number(pid)));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Postgres CPU seconds since `before`: backends that ended in between are missed (the pool's connections stay). */
export function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of postgresCpu()) total += cpu - (before.get(pid) ?? 0);
  return total;
}

/** CPU seconds (all cores, not idle or iowait) the whole machine has used so far, from /proc/stat. */
export function machineCpuSeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
}

/** CPU seconds per thread name of a process (main JS thread, workflow threads, the SDK core's runtime, GC helpers). */
export function threadCpu(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(f[11]) + Number(f[12])) / 100;
      // The main thread has the process id; other threads of the same name are told apart by their thread id.
      const key = tid === String(pid) ? 'main' : `${name}:${tid}`;
      if (cpu >= 0.1) out[key] = Math.round(((out[key] ?? 0) + cpu) * 100) / 100;
    }
  } catch {
    /* process gone */
  }
  return out;
}

/** Peak resident memory of a process, sampled from /proc (VmRSS) until stopped. */
export function rssSampler(pid: number) {
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      /* process gone */
    }
  };
  const timer = setInterval(sample, 100);
  return {
    reset: () => (peak = 0),
    peakMb: () => (sample(), Math.round(peak)),
    stop: () => clearInterval(timer),
  };
}

/**
 * Postgres CPU seconds from now on, sampled every second. Unlike postgresCpuSince, a backend that ends in between (a
 * pool that closes idle connections, the Temporal server's churn) still counts, up to its last sample. Processes are
 * keyed by pid and start time, so that a reused pid is a new process.
 */
export function postgresCpuSampler(intervalMs = 1000) {
  const read = () => {
    const out = new Map<string, number>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(`${pid}:${f[19]}`, (Number(f[11]) + Number(f[12])) / 100); // utime + stime; f[19] is the start time
      } catch {
        /* gone */
      }
    }
    return out;
  };
  const before = read();
  const last = new Map(before);
  const sample = () => read().forEach((cpu, key) => last.set(key, cpu));
  const timer = setInterval(sample, intervalMs);
  return {
    seconds(): number {
      sample();
      let total = 0;
      for (const [key, cpu] of last) total += cpu - (before.get(key) ?? 0);
      return total;
    },
    stop: () => clearInterval(timer),
  };
}
