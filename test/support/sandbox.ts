// Runs checks of untrusted input in a worker thread under a deadline. A check that loops (synchronously, where no timer
// in this thread could interrupt it) or takes longer than its deadline fails with the input instead of hanging the
// suite: the worker is terminated and a fresh one takes the next call.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SandboxCalls } from './sandboxWorker';

/** What a call did: its value, or the error it threw (name and message, as seen by the caller). */
export type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; name: string; message: string; stack?: string; ms: number };

export class DeadlineExceeded extends Error {
  constructor(fn: string, ms: number) {
    super(`${fn} did not return within ${ms} ms (the worker thread was terminated)`);
    this.name = 'DeadlineExceeded';
  }
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; name: string; message: string; stack?: string };

export class Sandbox {
  private worker?: Worker;
  /** resolves once the worker has loaded its modules */
  private ready?: Promise<void>;
  private nextId = 0;
  private readonly pending = new Map<number, (r: Reply) => void>();

  private start(): Worker {
    // Compiled (npm test) the thread runs sandboxWorker.js; from source (npm run test:unit, under ts-node) it registers
    // the same TypeScript loader first.
    const w = __filename.endsWith('.ts')
      ? new Worker(`require('ts-node/register'); require(${JSON.stringify(path.join(__dirname, 'sandboxWorker.ts'))});`, {
          eval: true,
        })
      : new Worker(path.join(__dirname, 'sandboxWorker.js'));
    this.ready = new Promise<void>((resolve) => {
      w.on('message', (r: Reply | { ready: true }) => ('ready' in r ? resolve() : this.pending.get(r.id)?.(r)));
      w.once('error', () => resolve());
    });
    w.on('error', (err) => {
      for (const resolve of this.pending.values()) resolve({ id: -1, ok: false, name: 'WorkerError', message: String(err) });
    });
    w.unref();
    return w;
  }

  /** Calls `fn` in the worker; rejects with DeadlineExceeded when it takes longer than `ms` (the worker is replaced). */
  async call<K extends keyof SandboxCalls>(
    fn: K,
    arg: Parameters<SandboxCalls[K]>[0],
    ms: number,
  ): Promise<Outcome<Awaited<ReturnType<SandboxCalls[K]>>>> {
    this.worker ??= this.start();
    const worker = this.worker;
    await this.ready;
    const id = this.nextId++;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await new Promise<Reply | 'late'>((resolve) => {
        this.pending.set(id, resolve);
        timer = setTimeout(() => resolve('late'), ms);
        worker.postMessage({ id, fn, arg });
      });
      const took = Date.now() - started;
      if (reply === 'late') {
        this.worker = undefined;
        await worker.terminate();
        throw new DeadlineExceeded(fn, ms);
      }
      if (reply.ok) return { ok: true, value: reply.value as Awaited<ReturnType<SandboxCalls[K]>>, ms: took };
      return { ok: false, name: reply.name, message: reply.message, stack: reply.stack, ms: took };
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
