// Runs the Temporal CLI's dev server (Temporal Web included) as a child process and waits until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Connection, type TLSConfig } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { searchAttributeFlags } from '../src/contract';

/** The checkout's root: the folder of package.json above this file (compiled in dist/dev/, or run from source). */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export function temporalBinary(): string {
  const bin = loadConfig().temporalBin ?? path.join(PROJECT_ROOT, '.tools', 'bin', 'temporal');
  if (!existsSync(bin)) {
    throw new Error(`Temporal CLI not found at ${bin}: run scripts/setup-temporal.sh (or set TEMPORAL_BIN)`);
  }
  return bin;
}

export interface DevServerOptions {
  port: number;
  /** Temporal Web's port; omit for a headless server */
  uiPort?: number;
  /** SQLite file for a server whose runs survive restarts; omit for in-memory */
  dbFile?: string;
  logFile: string;
  namespace?: string;
  /** port of the server's Prometheus /metrics (the benchmark reads its persistence counters); random when omitted */
  metricsPort?: number;
  /** more dynamic config values, KEY=JSON (a test's server that lags on purpose, say) */
  dynamicConfig?: string[];
}

export interface DevServer {
  address: string;
  pid: number | undefined;
  webUrl: string | undefined;
  stop(): Promise<void>;
}

/** True if a Temporal frontend already answers on this address. */
export async function isServing(address: string, tls?: TLSConfig): Promise<boolean> {
  try {
    const c = await Connection.connect({ address, connectTimeout: 1000, ...(tls ? { tls } : {}) });
    await c.healthService.check({});
    await c.close();
    return true;
  } catch {
    return false;
  }
}

export async function waitForServer(address: string, timeoutMs: number, child?: ChildProcess, tls?: TLSConfig): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}`);
    if (await isServing(address, tls)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Temporal server at ${address} did not answer within ${timeoutMs / 1000}s`);
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--namespace',
    o.namespace ?? 'default',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    // The worker that completes a workflow task gets the activity it schedules in the same response (one round trip
    // and one matching hop less per activity).
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    // A run started by a launcher in a worker process goes straight to that process's runs worker (its first workflow
    // task skips the task queue).
    '--dynamic-config-value',
    'system.enableEagerWorkflowStart=true',
    // The CLI's dev server turns the search-attribute cache off (so that attributes created at run time show at once)
    // and then reads the cluster metadata from SQLite on every request that touches a search attribute: 8-12 reads a
    // run, all queued on its one SQLite connection. Ours are all registered at start (--search-attribute below), so
    // the server's normal cache (refreshed every 60 s) is safe.
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=false',
    // One partition per task queue instead of four: one server and a few workers gain nothing from spreading a queue,
    // and a task left in a partition no poller was on waited for forwarding (the benchmark saw its last runs idle ~2 s).
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
    ...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']),
    ...(o.metricsPort ? ['--metrics-port', String(o.metricsPort)] : []),
    // SQLite serialises all four services over one connection; WAL without fsync keeps it from being the bottleneck.
    ...(o.dbFile ? ['--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'] : []),
    ...searchAttributeFlags().flatMap((sa) => ['--search-attribute', sa]),
    ...(o.dynamicConfig ?? []).flatMap((kv) => ['--dynamic-config-value', kv]),
  ];
  mkdirSync(path.dirname(o.logFile), { recursive: true });
  const log = openSync(o.logFile, 'a');
  const child = spawn(temporalBinary(), args, { stdio: ['ignore', log, log], detached: false });
  const address = `127.0.0.1:${o.port}`;
  try {
    await waitForServer(address, 90_000, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message} (log: ${o.logFile})`, { cause: err });
  }
  return {
    address,
    pid: child.pid,
    webUrl: o.uiPort ? `http://127.0.0.1:${o.uiPort}` : undefined,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
