// docker-compose.yml cannot run on this project's machines (no Docker engine), so it is checked here against what does
// run: the native PostgreSQL stack's values in dev/topology.ts, the scripts in deploy/temporal and the variables
// src/config.ts knows. A value changed on one side only fails this file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseDocument, type Tags } from 'yaml';
import {
  ENV_NAMES,
  isLoopbackHost,
  loadConfig,
  sendgridApiKey,
  unsubscribeSettings,
  webhookPublicKey,
  workerUnsubscribeSettings,
} from '../../src/config';
import { searchAttributeFlags } from '../../src/contract';
import {
  DEFAULT_PORTS,
  DYNAMIC_CONFIG_FILE,
  HOST_SPECIFIC_SERVER_ENV,
  NAMESPACE,
  NAMESPACE_SCRIPT,
  SCHEMA_SCRIPT,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  WORKER_REPLICAS,
  setupEnv,
  temporalClientTlsEnv,
  temporalServerEnv,
  temporalServerTlsEnv,
  temporalUiEnv,
  temporalUiTlsEnv,
} from '../../dev/topology';
import { ROOT } from '../support/paths';

const root = ROOT;

type Mount = string | { source: string; target: string; read_only?: boolean };
interface Service {
  image?: string;
  build?: unknown;
  entrypoint?: string | string[];
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  volumes?: Mount[];
  ports?: (string | number)[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string | string[]; disable?: boolean };
  secrets?: (string | { source: string; target?: string })[];
}

// Compose reads `<<` merge keys (the file's x- blocks), as YAML 1.1 did.
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

// The mTLS overlay replaces the main file's ports with compose's `!override` (a merge would add them).
const overrideTag: Tags[number] = { tag: '!override', collection: 'seq', resolve: (seq) => seq };
const MTLS_FILE = path.join(root, 'docker-compose.mtls.yml');
const mtls = parse(readFileSync(MTLS_FILE, 'utf8'), { merge: true, customTags: [overrideTag] }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
};
const mtlsDoc = parseDocument(readFileSync(MTLS_FILE, 'utf8'), { merge: true, customTags: [overrideTag] });

function service(name: string): Service {
  const s = compose.services[name];
  assert.ok(s, `docker-compose.yml has a service "${name}"`);
  return s;
}

function env(name: string): Record<string, string> {
  const e = service(name).environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
}

/** A service's variables with docker-compose.mtls.yml on top (compose merges the maps). */
function mtlsEnv(name: string): Record<string, string> {
  const e = mtls.services[name]?.environment ?? {};
  assert.ok(!Array.isArray(e), `${name}: the overlay's environment is a map`);
  return { ...env(name), ...Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)])) };
}

/** A repository path as one string: `./deploy/temporal/x` and `deploy/temporal/x` are the same file. */
const repoPath = (p: string) => path.posix.normalize(p.split(path.sep).join('/')).replace(/^\.\//, '');

/** The repository file a path inside the service's container is, through its bind mounts; read-only ones only. */
function mountedFile(name: string, containerPath: string): string | undefined {
  const mounts = (service(name).volumes ?? []).map((m) => {
    if (typeof m !== 'string') return { source: m.source, target: m.target, readOnly: m.read_only === true };
    const [source, target, mode = ''] = m.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
  const m = mounts
    .filter((x) => x.readOnly && x.source.startsWith('.') && (containerPath === x.target || containerPath.startsWith(`${x.target}/`)))
    .sort((a, b) => b.target.length - a.target.length)[0];
  return m && repoPath(path.posix.join(m.source, containerPath.slice(m.target.length)));
}

function args(name: string): string[] {
  const { entrypoint = [], command = [] } = service(name);
  const list = (x: string | string[]) => (Array.isArray(x) ? x : x.split(/\s+/).filter(Boolean));
  return [...list(entrypoint), ...list(command)];
}

function dependsOn(name: string): Record<string, string> {
  const d = service(name).depends_on ?? [];
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v.condition ?? 'service_started']));
}

/**
 * The ports a service publishes, from compose's short syntax (`[ip:]host:container[/protocol]`, IPv6 in brackets) or
 * its long one; `ip` undefined is every interface of the host. A port with no host side is published on a random one.
 */
function portsOf(name: string, ports: (string | number)[]): { ip: string | undefined; host: number; container: number }[] {
  return ports.map((p) => {
    if (typeof p === 'object') {
      const l = p as { host_ip?: string; published?: string | number; target: number };
      return { ip: l.host_ip, host: Number(l.published ?? 0), container: Number(l.target) };
    }
    const m = /^(?:(\[[^\]]+\]|[^:]+):)??(?:(\d+):)?(\d+)(?:\/\w+)?$/.exec(String(p));
    assert.ok(m, `${name}: a port mapping compose would read: ${p}`);
    return { ip: m[1]?.replace(/^\[|\]$/g, ''), host: Number(m[2] ?? 0), container: Number(m[3]) };
  });
}

/** The ports a service publishes in the main file, or with docker-compose.mtls.yml on top. */
function published(name: string, overlay?: typeof mtls): { ip: string | undefined; host: number; container: number }[] {
  return portsOf(name, overlay?.services[name]?.ports ?? service(name).ports ?? []);
}

/** The `${X:?}` variables a script refuses to run without. */
function scriptRequires(script: string): string[] {
  const text = readFileSync(path.join(root, script), 'utf8');
  return [...new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*):\?[^}]*\}/g)].map((m) => m[1]))];
}

/** Compose's own interpolation: `${X:?msg}` needs X from the operator, `${X:-default}` falls back. */
function interpolate(vars: Record<string, string>, given: Record<string, string>): Record<string, string> {
  const one = (v: string) =>
    v.replace(/\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, op: string | undefined, rest: string) => {
      if (given[name] !== undefined) return given[name];
      assert.ok(op?.endsWith('-'), `compose needs ${name} from the operator, and this test has no value for it`);
      return rest;
    });
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, one(v)]));
}

/** What an operator sets (the file's `${X:?}`): plausible production values. */
const OPERATOR_VALUES = {
  POSTGRES_PASSWORD: 'operator-db-password',
  SENDGRID_API_KEY: 'SG.operator-key',
  SENDGRID_WEBHOOK_PUBLIC_KEY: 'operator-webhook-key',
  PUBLIC_URL: 'https://campaigns.example.com',
  UNSUBSCRIBE_SECRET: 'x'.repeat(32),
};

const ADMIN_TOOLS = 'temporalio/admin-tools';
const frontend = `temporal:${DEFAULT_PORTS.frontendGrpc}`;

describe('docker-compose.yml against the native topology (dev/topology.ts)', () => {
  it('runs the Temporal versions of topology.ts', () => {
    assert.equal(service('temporal').image, `temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    assert.equal(service('temporal-ui').image, `temporalio/ui:${TEMPORAL_UI_VERSION}`);
    for (const job of ['temporal-schema', 'temporal-namespace']) {
      // admin-tools tags also name the tctl and CLI versions they carry: 1.29.1-tctl-1.18.4-cli-1.5.0
      const [image, tag = ''] = (service(job).image ?? '').split(':');
      assert.equal(image, ADMIN_TOOLS, job);
      assert.ok(tag === TEMPORAL_SERVER_VERSION || tag.startsWith(`${TEMPORAL_SERVER_VERSION}-`), `${job}: tag ${tag}`);
    }
  });

  it("gives the server exactly temporalServerEnv()'s variables, equal except where they name a host", () => {
    const ours = env('temporal');
    const native = temporalServerEnv({ dynamicConfigPath: ours.DYNAMIC_CONFIG_FILE_PATH ?? '' });
    const hostSpecific = (k: string) => HOST_SPECIFIC_SERVER_ENV.includes(k);
    assert.deepEqual(
      Object.keys(native).filter((k) => !(k in ours)),
      [],
      'set natively, missing in compose',
    );
    assert.deepEqual(
      Object.keys(ours).filter((k) => !(k in native) && !hostSpecific(k)),
      [],
      'set in compose, not natively (add them to temporalServerEnv, or to HOST_SPECIFIC_SERVER_ENV if they name a host)',
    );
    const differ = Object.keys(native).filter((k) => !hostSpecific(k) && ours[k] !== native[k]);
    assert.deepEqual(Object.fromEntries(differ.map((k) => [k, ours[k]])), Object.fromEntries(differ.map((k) => [k, native[k]])));
  });

  it("points the server's host-specific variables at the compose services", () => {
    const ours = env('temporal');
    const pg = env('postgres');
    assert.equal(ours.POSTGRES_SEEDS, 'postgres');
    assert.match(service('postgres').image ?? '', /^postgres:/);
    assert.equal(ours.POSTGRES_USER, pg.POSTGRES_USER ?? 'postgres');
    assert.equal(ours.POSTGRES_PWD, pg.POSTGRES_PASSWORD);
    // the other containers reach the frontend only if it listens beyond loopback; then it must advertise an address
    assert.equal(ours.BIND_ON_IP, '0.0.0.0');
    assert.ok(ours.TEMPORAL_BROADCAST_ADDRESS && ours.TEMPORAL_BROADCAST_ADDRESS !== '0.0.0.0', 'TEMPORAL_BROADCAST_ADDRESS');
  });

  it('mounts deploy/temporal/dynamicconfig.yaml (read-only) where DYNAMIC_CONFIG_FILE_PATH says', () => {
    const target = env('temporal').DYNAMIC_CONFIG_FILE_PATH;
    assert.ok(target?.startsWith('/'), `DYNAMIC_CONFIG_FILE_PATH is an absolute path in the container: ${target}`);
    assert.equal(mountedFile('temporal', target), repoPath(DYNAMIC_CONFIG_FILE));
  });

  it("runs setup-schema.sh in admin-tools with the server's own database variables", () => {
    const script = args('temporal-schema').find((a) => a.endsWith('.sh')) ?? '';
    assert.equal(mountedFile('temporal-schema', script), repoPath(SCHEMA_SCRIPT), `runs ${script}`);
    const job = env('temporal-schema');
    const required = scriptRequires(SCHEMA_SCRIPT);
    assert.ok(required.length > 0, 'the script states what it requires');
    assert.deepEqual(
      required.filter((k) => !(k in job)),
      [],
      'required by the script, missing',
    );
    const server = env('temporal');
    assert.deepEqual(
      Object.keys(job).filter((k) => job[k] !== server[k]),
      [],
      'differs from (or is absent in) the server',
    );
  });

  it('runs create-namespace.sh in admin-tools with setupEnv() against the temporal service', () => {
    const script = args('temporal-namespace').find((a) => a.endsWith('.sh')) ?? '';
    assert.equal(mountedFile('temporal-namespace', script), repoPath(NAMESPACE_SCRIPT), `runs ${script}`);
    const job = env('temporal-namespace');
    assert.deepEqual(
      scriptRequires(NAMESPACE_SCRIPT).filter((k) => !(k in job)),
      [],
      'required by the script, missing',
    );
    assert.deepEqual(job, setupEnv(frontend));
  });

  it('registers exactly the search attributes of searchAttributeFlags()', () => {
    assert.deepEqual(env('temporal-namespace').SEARCH_ATTRIBUTES.split(/\s+/), searchAttributeFlags());
  });

  it("publishes the frontend's and the UI's ports of DEFAULT_PORTS on the host's loopback only, and points the UI at the frontend", () => {
    const loopback = (port: number) => [{ ip: '127.0.0.1', host: port, container: port }];
    assert.deepEqual(published('temporal'), loopback(DEFAULT_PORTS.frontendGrpc));
    assert.deepEqual(published('temporal-ui'), loopback(DEFAULT_PORTS.ui));
    assert.deepEqual(env('temporal-ui'), temporalUiEnv(frontend, DEFAULT_PORTS.ui));
  });

  it("publishes nothing beyond the host's loopback but the service's port", () => {
    const open = Object.keys(compose.services).flatMap((name) =>
      published(name)
        .filter((p) => p.ip === undefined || !isLoopbackHost(p.ip))
        .map((p) => `${name} ${p.ip ?? '*'}:${p.host}->${p.container}`),
    );
    const servicePort = loadConfig(interpolate(env('service'), OPERATOR_VALUES)).service.port;
    assert.deepEqual(open, [`service *:${servicePort}->${servicePort}`]);
  });

  it('with docker-compose.mtls.yml, publishes beyond loopback only the service, a frontend that requires mTLS and a Web with login', () => {
    for (const name of ['temporal', 'temporal-ui'])
      assert.equal((mtlsDoc.getIn(['services', name, 'ports'], true) as { tag?: string }).tag, '!override', `${name}: ports !override`);
    const open = Object.keys(compose.services).flatMap((name) =>
      published(name, mtls)
        .filter((p) => p.ip === undefined || !isLoopbackHost(p.ip))
        .map((p) => `${name} ${p.host}->${p.container}`),
    );
    const servicePort = loadConfig(interpolate(env('service'), OPERATOR_VALUES)).service.port;
    const { frontendGrpc, ui } = DEFAULT_PORTS;
    assert.deepEqual(open.sort(), [
      `service ${servicePort}->${servicePort}`,
      `temporal ${frontendGrpc}->${frontendGrpc}`,
      `temporal-ui ${ui}->${ui}`,
    ]);
    assert.equal(mtlsEnv('temporal').TEMPORAL_TLS_REQUIRE_CLIENT_AUTH, 'true');
    assert.equal(mtlsEnv('temporal-ui').TEMPORAL_AUTH_ENABLED, 'true');
    for (const k of ['TEMPORAL_AUTH_PROVIDER_URL', 'TEMPORAL_AUTH_CLIENT_ID', 'TEMPORAL_AUTH_CLIENT_SECRET', 'TEMPORAL_AUTH_CALLBACK_URL'])
      assert.match(mtlsEnv('temporal-ui')[k] ?? '', new RegExp(`^\\$\\{${k}:\\?[^}]*\\}$`), `temporal-ui: ${k} from the operator`);
  });

  it("with docker-compose.mtls.yml, runs the server with the image check's TLS variables and every client with its certificate", () => {
    const dir = '/run/secrets/temporal';
    const pick = (e: Record<string, string>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in e).map((k) => [k, e[k]]));
    const server = temporalServerTlsEnv(dir);
    assert.deepEqual(pick(mtlsEnv('temporal'), Object.keys(server)), server);
    const client = temporalClientTlsEnv(dir);
    for (const name of ['temporal-namespace', 'worker', 'service'])
      assert.deepEqual(pick(mtlsEnv(name), Object.keys(client)), client, name);
    const uiTls = temporalUiTlsEnv(dir);
    assert.deepEqual(pick(mtlsEnv('temporal-ui'), Object.keys(uiTls)), uiTls);
    // Our processes take them (the files are read when they connect).
    const c = loadConfig(interpolate(mtlsEnv('worker'), OPERATOR_VALUES));
    assert.deepEqual(c.temporalTls, {
      caPath: client.TEMPORAL_TLS_CA,
      certPath: client.TEMPORAL_TLS_CERT,
      keyPath: client.TEMPORAL_TLS_KEY,
      serverName: client.TEMPORAL_TLS_SERVER_NAME,
    });
  });

  it('with docker-compose.mtls.yml, mounts each file a TLS variable names from ./secrets/temporal, and each process only its own', () => {
    for (const name of ['temporal', 'temporal-namespace', 'temporal-ui', 'worker', 'service']) {
      const mounted = new Map(
        (mtls.services[name].secrets ?? []).map((x) => {
          const { source, target = typeof x === 'string' ? x : x.source } = typeof x === 'string' ? { source: x } : x;
          assert.ok(mtls.secrets[source], `${name}: secret ${source} is declared`);
          return [path.posix.join('/run/secrets', target), repoPath(mtls.secrets[source].file)] as const;
        }),
      );
      const files = Object.entries(mtlsEnv(name)).filter(([k, v]) => /^TEMPORAL_TLS_.*(CERT|KEY|CA)$/.test(k) && v.startsWith('/'));
      assert.ok(files.length > 0, name);
      for (const [k, file] of files) {
        assert.equal(mounted.get(file), path.posix.join('secrets/temporal', path.posix.basename(file)), `${name}: ${k}=${file} is mounted`);
      }
      assert.deepEqual(
        [...mounted.keys()].filter((m) => !files.some(([, f]) => f === m)),
        [],
        `${name}: mounts only what it reads`,
      );
    }
  });

  it('takes the PostgreSQL password from the operator, like the other secrets, and nowhere publishes the database', () => {
    assert.match(env('postgres').POSTGRES_PASSWORD, /^\$\{POSTGRES_PASSWORD:\?[^}]*\}$/);
    assert.deepEqual(published('postgres'), []);
  });

  it('runs WORKER_REPLICAS workers, and the worker, service and migration from the Dockerfile', () => {
    assert.equal(service('worker').deploy?.replicas, WORKER_REPLICAS);
    for (const name of ['worker', 'service', 'migrate']) assert.equal(service(name).build, '.', name);
    // The image's HEALTHCHECK asks the service's /readyz: the others have none to answer it.
    for (const name of ['worker', 'migrate']) assert.equal(service(name).healthcheck?.disable, true, `${name} disables the HEALTHCHECK`);
    assert.deepEqual(args('worker'), [], "the worker runs the Dockerfile's CMD");
    assert.deepEqual(args('service'), ['node', 'bin/campaign-runner.js', 'serve']);
    assert.deepEqual(args('migrate'), ['node', 'bin/campaign-runner.js', 'migrate']);
  });

  it('gives the processes only variables src/config.ts knows, and the same database and cluster', () => {
    const pg = interpolate(env('postgres'), OPERATOR_VALUES);
    for (const name of ['worker', 'service', 'migrate']) {
      const e = interpolate(env(name), OPERATOR_VALUES);
      assert.deepEqual(
        Object.keys(e).filter((k) => !(ENV_NAMES as string[]).includes(k)),
        [],
        `${name}: not in ENV_SCHEMA`,
      );
      const db = new URL(e.DATABASE_URL);
      assert.equal(db.hostname, 'postgres', `${name}: DATABASE_URL's host is the postgres service`);
      assert.equal(db.port || '5432', '5432');
      assert.equal(db.username, pg.POSTGRES_USER ?? 'postgres');
      assert.equal(db.password, pg.POSTGRES_PASSWORD);
      assert.equal(e.DATABASE_URL, interpolate(env('migrate'), OPERATOR_VALUES).DATABASE_URL, `${name}: the database migrate prepares`);
    }
    for (const name of ['worker', 'service']) {
      assert.equal(env(name).TEMPORAL_ADDRESS, frontend, name);
      assert.equal(env(name).TEMPORAL_NAMESPACE, NAMESPACE, name);
    }
  });

  it('gives the worker what it needs in production, secrets from the operator', () => {
    const e = env('worker');
    for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'DATABASE_URL', 'SENDGRID_API_KEY', 'PUBLIC_URL', 'UNSUBSCRIBE_SECRET'])
      assert.ok(k in e, `worker: ${k}`);
    for (const k of ['SENDGRID_API_KEY', 'PUBLIC_URL', 'UNSUBSCRIBE_SECRET']) assert.match(e[k], new RegExp(`^\\$\\{${k}:\\?[^}]*\\}$`));
    // src/config.ts's own start-up checks, on the values the container would see
    const c = loadConfig(interpolate(e, OPERATOR_VALUES));
    sendgridApiKey(c.sendgrid);
    workerUnsubscribeSettings(c);
  });

  it('gives the service what it needs in production, secrets from the operator, on its published port', () => {
    const e = env('service');
    for (const k of [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'DATABASE_URL',
      'SENDGRID_WEBHOOK_PUBLIC_KEY',
      'PUBLIC_URL',
      'UNSUBSCRIBE_SECRET',
      'SERVICE_HOST',
    ])
      assert.ok(k in e, `service: ${k}`);
    for (const k of ['SENDGRID_WEBHOOK_PUBLIC_KEY', 'PUBLIC_URL', 'UNSUBSCRIBE_SECRET'])
      assert.match(e[k], new RegExp(`^\\$\\{${k}:\\?[^}]*\\}$`));
    assert.equal(e.UNSUBSCRIBE_SECRET, env('worker').UNSUBSCRIBE_SECRET, 'the secret the workers sign with');
    assert.equal(e.PUBLIC_URL, env('worker').PUBLIC_URL, 'the address the workers put in links');
    const c = loadConfig(interpolate(e, OPERATOR_VALUES));
    webhookPublicKey(c);
    unsubscribeSettings(c);
    assert.ok(!isLoopbackHost(c.service.host), 'SERVICE_HOST: reachable from outside its container');
    assert.deepEqual(
      published('service').map((p) => p.container),
      [c.service.port],
    );
  });

  it('starts each part after what it needs', () => {
    assert.deepEqual(dependsOn('temporal-schema'), { postgres: 'service_healthy' });
    assert.deepEqual(dependsOn('temporal'), { 'temporal-schema': 'service_completed_successfully' });
    assert.ok('temporal' in dependsOn('temporal-namespace'), 'the namespace job after the server');
    assert.ok('temporal' in dependsOn('temporal-ui'), 'the UI after the server');
    assert.deepEqual(dependsOn('migrate'), { postgres: 'service_healthy' });
    for (const name of ['worker', 'service'])
      assert.deepEqual(
        dependsOn(name),
        { migrate: 'service_completed_successfully', 'temporal-namespace': 'service_completed_successfully' },
        name,
      );
    assert.ok(service('postgres').healthcheck?.test?.includes('pg_isready'), 'postgres has a pg_isready healthcheck');
  });
});
