// The production topology's configuration, in one place: the native PostgreSQL stack (`npm run stack:postgres`, the
// suite's second pass in CI, `npm run bench -- --scale --topology postgres`) starts from these values, and
// test/unit/composeFile.test.ts checks docker-compose.yml against them, so the two cannot drift.
//
// The Temporal server is configured the way its official image does it: the image renders the server module's own
// docker/config_template.yaml from environment variables. The native stack renders that same template with the same
// variables (dev/temporalPostgres.ts), so a value set here means the same in both.
import path from 'node:path';
import { searchAttributeFlags } from '../src/contract';

/** The server the Temporal CLI v1.5.1 embeds (its dev server), so both topologies run the same server code. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The UI the same CLI embeds. */
export const TEMPORAL_UI_VERSION = '2.42.1';

export const TOPOLOGY_DIR = path.join('deploy', 'temporal');
/** Dynamic config shared by both: mounted into the compose server, read from the repository natively. */
export const DYNAMIC_CONFIG_FILE = path.join(TOPOLOGY_DIR, 'dynamicconfig.yaml');
/** Creates and migrates the two databases with temporal-sql-tool (compose: the admin-tools image). */
export const SCHEMA_SCRIPT = path.join(TOPOLOGY_DIR, 'setup-schema.sh');
/** Creates the namespace and the project's search attributes with the temporal CLI (compose: the admin-tools image). */
export const NAMESPACE_SCRIPT = path.join(TOPOLOGY_DIR, 'create-namespace.sh');

export const SQL_PLUGIN = 'postgres12';
export const NAMESPACE = 'default';
/** Temporal's own default for a new namespace: closed runs stay visible (and in the database) this long. */
export const NAMESPACE_RETENTION = '72h';
/**
 * Fixed for the life of a cluster (it cannot change once the database holds data). 4 is the development value;
 * docs/scaling.md derives what 10 million runs a day need.
 */
export const NUM_HISTORY_SHARDS = 4;
export const WORKER_REPLICAS = 2;

export interface TemporalPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
  ui: number;
}

/** The image's defaults (config_template.yaml) and the UI image's 8080: what compose publishes and the local stack uses. */
export const DEFAULT_PORTS: TemporalPorts = {
  frontendGrpc: 7233,
  frontendHttp: 7243,
  frontendMembership: 6933,
  historyGrpc: 7234,
  historyMembership: 6934,
  matchingGrpc: 7235,
  matchingMembership: 6935,
  workerGrpc: 7239,
  workerMembership: 6939,
  ui: 8080,
};

/** The same layout moved by `offset`, for a second server beside the local stack (the suite's pass, the benchmark). */
export function offsetPorts(offset: number): TemporalPorts {
  const out = { ...DEFAULT_PORTS };
  for (const k of Object.keys(out) as (keyof TemporalPorts)[]) out[k] += offset;
  return out;
}

export interface DatabaseNames {
  temporal: string;
  visibility: string;
}

export const DEFAULT_DATABASES: DatabaseNames = { temporal: 'temporal', visibility: 'temporal_visibility' };

/** `name` and `name_visibility`: another server's pair of databases on the same Postgres. */
export function databasesNamed(name: string): DatabaseNames {
  return name === DEFAULT_DATABASES.temporal ? DEFAULT_DATABASES : { temporal: name, visibility: `${name}_visibility` };
}

/**
 * Variables that name where things are (a host, a password, a path, the interface to bind): they differ between a
 * container and this machine by nature. Every other variable of the server's environment must be equal in both.
 */
export const HOST_SPECIFIC_SERVER_ENV = [
  'POSTGRES_SEEDS',
  'POSTGRES_PWD',
  'BIND_ON_IP',
  'TEMPORAL_BROADCAST_ADDRESS',
  'DYNAMIC_CONFIG_FILE_PATH',
];

export interface ServerEnvOptions {
  databases?: DatabaseNames;
  ports?: TemporalPorts;
  postgres?: { host: string; port: number; user: string; password: string };
  dynamicConfigPath: string;
  /** host:port for the server's Prometheus /metrics; none when omitted */
  metricsEndpoint?: string;
}

/** The server's environment, as the temporalio/server image and config_template.yaml name the variables. */
export function temporalServerEnv(o: ServerEnvOptions): Record<string, string> {
  const db = o.databases ?? DEFAULT_DATABASES;
  const p = o.ports ?? DEFAULT_PORTS;
  const pg = o.postgres ?? { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' };
  return {
    DB: SQL_PLUGIN,
    DB_PORT: String(pg.port),
    POSTGRES_SEEDS: pg.host,
    POSTGRES_USER: pg.user,
    POSTGRES_PWD: pg.password,
    DBNAME: db.temporal,
    VISIBILITY_DBNAME: db.visibility,
    NUM_HISTORY_SHARDS: String(NUM_HISTORY_SHARDS),
    DYNAMIC_CONFIG_FILE_PATH: o.dynamicConfigPath,
    BIND_ON_IP: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(p.frontendGrpc),
    FRONTEND_HTTP_PORT: String(p.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(p.frontendMembership),
    HISTORY_GRPC_PORT: String(p.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(p.historyMembership),
    MATCHING_GRPC_PORT: String(p.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(p.matchingMembership),
    WORKER_GRPC_PORT: String(p.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(p.workerMembership),
    LOG_LEVEL: 'warn',
    ...(o.metricsEndpoint ? { PROMETHEUS_ENDPOINT: o.metricsEndpoint } : {}),
  };
}

/** The certificate files of mTLS, as scripts/temporal-certs.sh writes them into one folder. */
export const TLS_FILES = {
  ca: 'ca.pem',
  serverCert: 'server.pem',
  serverKey: 'server-key.pem',
  clientCert: 'client.pem',
  clientKey: 'client-key.pem',
} as const;
/** The name the server's certificate carries: the compose service's name; clients check it whatever address they dial. */
export const TLS_SERVER_NAME = 'temporal';

/**
 * The server's mTLS (config_template.yaml's TEMPORAL_TLS_* variables), with the certificates in `dir`: one CA signs the
 * server's certificate, used between the server's own services and by the frontend, and the clients' certificates,
 * which the frontend requires. docker-compose.mtls.yml sets exactly these; the image check runs the server with them.
 */
export function temporalServerTlsEnv(dir: string): Record<string, string> {
  const f = (name: string) => path.posix.join(dir, name);
  return {
    TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true',
    TEMPORAL_TLS_SERVER_CA_CERT: f(TLS_FILES.ca),
    TEMPORAL_TLS_SERVER_CERT: f(TLS_FILES.serverCert),
    TEMPORAL_TLS_SERVER_KEY: f(TLS_FILES.serverKey),
    TEMPORAL_TLS_INTERNODE_SERVER_NAME: TLS_SERVER_NAME,
    TEMPORAL_TLS_FRONTEND_CERT: f(TLS_FILES.serverCert),
    TEMPORAL_TLS_FRONTEND_KEY: f(TLS_FILES.serverKey),
    TEMPORAL_TLS_FRONTEND_SERVER_NAME: TLS_SERVER_NAME,
    // the template lists both client CAs as soon as the first is set
    TEMPORAL_TLS_CLIENT1_CA_CERT: f(TLS_FILES.ca),
    TEMPORAL_TLS_CLIENT2_CA_CERT: f(TLS_FILES.ca),
  };
}

/**
 * A client's side of mTLS, with the certificates in `dir`: our processes (src/config.ts), the temporal CLI (the
 * namespace job) and Temporal Web's server all read these four variables.
 */
export function temporalClientTlsEnv(dir: string): Record<string, string> {
  const f = (name: string) => path.posix.join(dir, name);
  return {
    TEMPORAL_TLS_CA: f(TLS_FILES.ca),
    TEMPORAL_TLS_CERT: f(TLS_FILES.clientCert),
    TEMPORAL_TLS_KEY: f(TLS_FILES.clientKey),
    TEMPORAL_TLS_SERVER_NAME: TLS_SERVER_NAME,
  };
}

/** Temporal Web's side: a client's, and it checks the server's name (its own default does not). */
export function temporalUiTlsEnv(dir: string): Record<string, string> {
  return { ...temporalClientTlsEnv(dir), TEMPORAL_TLS_ENABLE_HOST_VERIFICATION: 'true' };
}

/** What the two setup scripts read besides the server's database variables. */
export function setupEnv(temporalAddress: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporalAddress,
    NAMESPACE,
    NAMESPACE_RETENTION,
    SEARCH_ATTRIBUTES: searchAttributeFlags().join(' '),
  };
}

/** Temporal Web's environment, as the temporalio/ui image's config/docker.yaml template names the variables. */
export function temporalUiEnv(temporalAddress: string, port: number): Record<string, string> {
  // No internet on the project's machines, and a production UI should not call out either.
  return { TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_UI_PORT: String(port), TEMPORAL_NOTIFY_ON_NEW_VERSION: 'false' };
}
