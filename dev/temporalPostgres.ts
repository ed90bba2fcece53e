// The production topology's Temporal, natively: the real Temporal server on this machine's PostgreSQL (persistence and
// SQL visibility in two databases of its own), configured as its official image configures itself, plus Temporal Web
// from the UI server. Binaries, schema and templates come from scripts/setup-temporal-server.sh.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client as PgClient } from 'pg';
import {
  DYNAMIC_CONFIG_FILE,
  NAMESPACE_SCRIPT,
  SCHEMA_SCRIPT,
  databasesNamed,
  setupEnv,
  temporalServerEnv,
  temporalUiEnv,
  type DatabaseNames,
  type TemporalPorts,
  DEFAULT_PORTS,
  temporalClientTlsEnv,
  temporalServerTlsEnv,
  temporalUiTlsEnv,
} from './topology';
import { loadConfig } from '../src/config';
import { temporalTlsConfig } from '../src/temporal/connection';
import { PROJECT_ROOT, temporalBinary, waitForServer } from './temporalServer';

const run = promisify(execFile);
const TOOLS = path.join(PROJECT_ROOT, '.tools', 'server');

function tool(name: string): string {
  const p = path.join(TOOLS, name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run scripts/setup-temporal-server.sh`);
  return p;
}

/**
 * The image renders config_template.yaml with dockerize, whose `.Env.X` is the variable and whose `default VALUE
 * FALLBACK` takes the value first. The server renders a config file itself when it says `enable-template`, with sprig,
 * whose `default FALLBACK VALUE` takes them the other way round and reads variables through `env "X"`. This rewrites
 * the one into the other; every use of .Env in the template is one of these two shapes (a unit test renders it).
 */
export function sprigTemplate(dockerizeTemplate: string): string {
  const body = dockerizeTemplate
    .replace(/default \.Env\.(\w+) ("[^"]*"|\$\w+)/g, 'default $2 (env "$1")')
    .replace(/\.Env\.(\w+)/g, '(env "$1")');
  return `# enable-template (rendered by the server from docker/config_template.yaml of go.temporal.io/server)\n${body}`;
}

export interface PostgresTemporalOptions {
  /** names the two databases (`name`, `name_visibility`; `temporal` is `temporal`/`temporal_visibility`) */
  name: string;
  ports?: TemporalPorts;
  /** where the config and the logs go */
  runDir: string;
  /** host:port of the server's Prometheus /metrics */
  metricsEndpoint?: string;
  /** drop the two databases first (tests, benchmarks); otherwise they are kept and migrated */
  fresh?: boolean;
  /** also start Temporal Web (on ports.ui) */
  ui?: boolean;
  postgres?: { host: string; port: number; user: string; password: string };
  /** the frontend requires mTLS with the certificates in this folder (scripts/temporal-certs.sh); Temporal Web uses them */
  tlsDir?: string;
}

export interface PostgresTemporal {
  address: string;
  webUrl: string | undefined;
  pid: number | undefined;
  databases: DatabaseNames;
  stop(): Promise<void>;
}

async function dropDatabases(pg: PostgresTemporalOptions['postgres'], names: DatabaseNames): Promise<void> {
  const c = new PgClient({
    host: pg?.host ?? '127.0.0.1',
    port: pg?.port ?? 5432,
    user: pg?.user ?? 'postgres',
    password: pg?.password,
    database: 'postgres',
  });
  await c.connect();
  try {
    for (const db of [names.temporal, names.visibility]) await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

function startChild(bin: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(bin, args, { env, stdio: ['ignore', log, log] });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export async function startTemporalOnPostgres(o: PostgresTemporalOptions): Promise<PostgresTemporal> {
  if (!/^[a-z_][a-z0-9_]*$/.test(o.name)) throw new Error(`database name "${o.name}": lower-case letters, digits and _ only`);
  const databases = databasesNamed(o.name);
  const ports = o.ports ?? DEFAULT_PORTS;
  const address = `127.0.0.1:${ports.frontendGrpc}`;
  mkdirSync(path.join(o.runDir, 'config'), { recursive: true });
  if (o.fresh) await dropDatabases(o.postgres, databases);

  const serverEnv = temporalServerEnv({
    databases,
    ports,
    postgres: o.postgres,
    dynamicConfigPath: path.join(PROJECT_ROOT, DYNAMIC_CONFIG_FILE),
    metricsEndpoint: o.metricsEndpoint,
  });
  const env = { ...process.env, ...serverEnv, ...(o.tlsDir ? temporalServerTlsEnv(o.tlsDir) : {}) };
  const clientTls = o.tlsDir ? temporalTlsConfig(loadConfig(temporalClientTlsEnv(o.tlsDir)).temporalTls) : undefined;
  await run(path.join(PROJECT_ROOT, SCHEMA_SCRIPT), [], {
    env: { ...env, SQL_TOOL: tool('temporal-sql-tool'), SCHEMA_DIR: tool('schema') },
  }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`setting up the Temporal databases failed: ${err.stderr?.trim() || err.message}`);
  });

  // The image's own template, rendered by the server from the variables above.
  writeFileSync(path.join(o.runDir, 'config', 'docker.yaml'), sprigTemplate(readFileSync(tool('config_template.yaml'), 'utf8')));
  const serverLog = path.join(o.runDir, 'temporal-server.log');
  const server = startChild(
    tool('temporal-server'),
    ['--root', o.runDir, '--config', 'config', '--env', 'docker', '--allow-no-auth', 'start'],
    env,
    serverLog,
  );
  let ui: ChildProcess | undefined;
  const stop = async () => {
    await stopChild(ui);
    await stopChild(server);
  };
  try {
    await waitForServer(address, 120_000, server, clientTls);
    await run(path.join(PROJECT_ROOT, NAMESPACE_SCRIPT), [], {
      env: { ...process.env, ...setupEnv(address), TEMPORAL_CLI: temporalBinary(), ...(o.tlsDir ? temporalClientTlsEnv(o.tlsDir) : {}) },
    }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`creating the namespace and search attributes failed: ${err.stderr?.trim() || err.message}`);
    });
    if (o.ui) {
      ui = startChild(
        tool('temporal-ui-server'),
        ['--root', path.join(TOOLS, 'ui'), '--env', 'docker', 'start'],
        // The UI image's own template (config/docker.yaml), rendered from its variables.
        { ...process.env, ...temporalUiEnv(address, ports.ui), ...(o.tlsDir ? temporalUiTlsEnv(o.tlsDir) : {}) },
        path.join(o.runDir, 'temporal-ui.log'),
      );
      await waitForHttp(`http://127.0.0.1:${ports.ui}/`, 30_000, ui);
    }
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message} (logs in ${o.runDir})`, { cause: err });
  }
  return { address, webUrl: o.ui ? `http://127.0.0.1:${ports.ui}` : undefined, pid: server.pid, databases, stop };
}

async function waitForHttp(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the UI server exited with code ${child.exitCode}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`Temporal Web did not answer at ${url} within ${timeoutMs / 1000}s`);
}
