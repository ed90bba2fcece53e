// The production worker (dist/src/worker.js) as a child process, tuned as the README recommends: the PostgreSQL stack
// runs two, the benchmark measures them, the chaos run kills and restarts them.
import { spawn, type ChildProcess, type IOType } from 'node:child_process';
import path from 'node:path';
import { WORKER_NODE_FLAGS } from '../src/temporal/tuning';

/**
 * A worker process's environment: this process's, with MALLOC_ARENA_MAX=2 as recommended for workers (README: glibc's
 * per-thread arenas otherwise add ~130 MB of RSS), logs at WARN, and `vars`.
 */
export function workerEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', LOG_LEVEL: 'WARN', ...vars };
}

/** The production worker's node flags (the Dockerfile's); BENCH_WORKER_NODE_ARGS adds more (e.g. --cpu-prof). */
export function workerNodeArgs(): string[] {
  return [...WORKER_NODE_FLAGS, ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
}

export interface WorkerProcess {
  child: ChildProcess;
  /** resolves once the worker polls (its "worker polling" line); rejects if it exits first */
  ready: Promise<void>;
  /** resolves when the process has exited, with its exit code or the signal that ended it */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts the production worker. Its stderr goes where `stderr` says (this process's, by default). */
export function spawnWorker(env: NodeJS.ProcessEnv, o: { nodeArgs?: string[]; stderr?: IOType | number } = {}): WorkerProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(o.nodeArgs ?? workerNodeArgs()), path.resolve(__dirname, '..', 'src', 'worker.js')],
    {
      env,
      stdio: ['ignore', 'pipe', o.stderr ?? 'inherit'],
    },
  );
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('worker polling') && resolve());
    void exited.then((how) => reject(new Error(`worker exited before it polled (${how})`)));
  });
  ready.catch(() => undefined); // a caller that stops waiting for it must not see an unhandled rejection
  return { child, ready, exited };
}
