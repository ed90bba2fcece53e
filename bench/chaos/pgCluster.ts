// The chaos run's own PostgreSQL cluster: the machine's real PostgreSQL, in a cluster of its own (port 5433 unless
// CHAOS_PG_PORT says otherwise), so that restarting it for real takes down nothing else on the machine (other test runs
// use the main cluster on 5432). Created with trust authentication on first use, as CI needs it.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CHAOS_CLUSTER = 'chaos';

export interface ChaosCluster {
  version: string;
  port: number;
  /** a database URL on this cluster */
  url(database: string): string;
}

function pgVersion(): string {
  const versions = readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL installation under /etc/postgresql');
  return versions[0];
}

/** pg_lsclusters's line for the chaos cluster: its port and status, or null when it does not exist. */
function clusterState(version: string): { port: number; online: boolean } | null {
  const out = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [v, name, port, status] = line.trim().split(/\s+/);
    if (v === version && name === CHAOS_CLUSTER) return { port: Number(port), online: status === 'online' };
  }
  return null;
}

function waitReady(port: number): void {
  for (let i = 0; i < 60; i++) {
    try {
      execFileSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      return;
    } catch {
      execFileSync('sleep', ['0.5']);
    }
  }
  throw new Error(`the ${CHAOS_CLUSTER} PostgreSQL cluster on port ${port} did not accept connections within 30 s`);
}

/** Creates the chaos cluster if it is missing and starts it if it is down. */
export function ensureChaosCluster(port = Number(process.env.CHAOS_PG_PORT || 5433)): ChaosCluster {
  const version = pgVersion();
  let state = clusterState(version);
  if (!state) {
    try {
      execFileSync('pg_createcluster', [version, CHAOS_CLUSTER, '--port', String(port), '--', '--auth-local=trust', '--auth-host=trust'], {
        stdio: 'pipe',
      });
    } catch (err) {
      // Another chaos run may have created it meanwhile; otherwise this is the error to show.
      if (!clusterState(version)) throw err;
    }
    state = clusterState(version);
    if (!state) throw new Error(`pg_createcluster did not create the ${CHAOS_CLUSTER} cluster`);
  }
  if (state.port !== port) throw new Error(`the ${CHAOS_CLUSTER} cluster listens on port ${state.port}, not ${port} (CHAOS_PG_PORT)`);
  if (!state.online) {
    try {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, CHAOS_CLUSTER, 'start'], { stdio: 'pipe' });
    } catch (err) {
      if (!clusterState(version)?.online) throw err; // started meanwhile by another chaos run, or a real failure
    }
  }
  waitReady(port);
  return { version, port, url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}` };
}

/**
 * Restarts the chaos cluster in fast mode (every open connection is cut and its transaction rolled back) and waits until
 * it accepts connections. Asynchronous: the chaos process hosts the SendGrid fake, which must keep answering meanwhile.
 */
export async function restartChaosCluster(c: ChaosCluster): Promise<void> {
  // Tried again: another chaos run on the machine may be restarting the same cluster at this moment.
  for (let i = 1; ; i++) {
    try {
      await run('pg_ctlcluster', ['--skip-systemctl-redirect', '-m', 'fast', c.version, CHAOS_CLUSTER, 'restart']);
      break;
    } catch (err) {
      if (i >= 3) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  for (let i = 0; ; i++) {
    try {
      await run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(c.port)]);
      return;
    } catch (err) {
      if (i >= 60) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
