// Every environment variable the project reads, parsed and checked once, here (README: "Configuration"; a unit test
// keeps that table and ENV_SCHEMA in step). A bad value stops the process with one line naming the variable and the
// form it expects; nothing else in src/ reads process.env.
import { z } from 'zod';

const positiveInt = z
  .string()
  .regex(/^[1-9][0-9]*$/, 'a whole number above 0')
  .transform(Number);
const port = positiveInt.refine((n) => n <= 65535, 'a port number (1-65535)');
const hostPort = z.string().regex(/^[^\s:/]+:[0-9]{1,5}$/, 'host:port, e.g. 127.0.0.1:7233');
const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// URL' });
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits and _ . : -');
const host = z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0');
const emailLike = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'an e-mail address');
const filePath = z.string().regex(/^[^\0]+$/, 'a file path');
const secret = z.string().min(32, 'at least 32 characters (e.g. openssl rand -hex 32)');

export const WORKER_ROLES = ['runs', 'launches'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Each variable, its form and its default. Empty strings count as unset. */
export const ENV_SCHEMA = {
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: name.default('default'),
  TEMPORAL_TLS_CA: filePath.optional(),
  TEMPORAL_TLS_CERT: filePath.optional(),
  TEMPORAL_TLS_KEY: filePath.optional(),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'a host name, e.g. temporal.internal')
    .optional(),
  TASK_QUEUE: name.default('campaign-runner'),
  LAUNCH_TASK_QUEUE: name.optional(),
  TEMPORAL_WEB_URL: httpUrl.default('http://127.0.0.1:8233'),
  DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/campaign_runner'),
  DB_POOL_MAX: positiveInt.default(10),
  SENDGRID_API_KEY: z.string().min(1).optional(),
  SENDGRID_BASE_URL: httpUrl.optional(),
  SENDGRID_TIMEOUT_MS: positiveInt.default(15_000),
  SENDGRID_FAKE_PORT: port.default(3030),
  SENDGRID_FAKE_WEBHOOK_URL: httpUrl.optional(),
  SERVICE_HOST: host.default('127.0.0.1'),
  SERVICE_PORT: port.default(3040),
  PUBLIC_URL: httpUrl.optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(1).optional(),
  WEBHOOK_MAX_BYTES: positiveInt.default(1_048_576),
  WEBHOOK_MAX_AGE_SECONDS: positiveInt.default(600),
  UNSUBSCRIBE_SECRET: secret.optional(),
  UNSUBSCRIBE_SECRET_PREVIOUS: secret.optional(),
  UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL: z.iso
    .datetime({ offset: true, error: 'an ISO 8601 date-time with its offset, e.g. 2027-01-31T00:00:00Z' })
    .transform((s) => new Date(s))
    .optional(),
  UNSUBSCRIBE_MAILTO: emailLike.optional(),
  WORKER_ROLES: z
    .string()
    .transform((s) => s.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(WORKER_ROLES, { error: `a comma-separated list of ${WORKER_ROLES.join(', ')}` })).min(1))
    .default([...WORKER_ROLES]),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.optional(),
  WORKER_MAX_CACHED_WORKFLOWS: positiveInt.optional(),
  LOG_LEVEL: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(LOG_LEVELS, { error: LOG_LEVELS.join(', ') }))
    .default('INFO'),
  TEMPORAL_BIN: z.string().min(1).optional(),
  TEST_DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/campaign_runner_test'),
  TEST_TOPOLOGY: z.enum(['dev', 'postgres'], { error: 'dev or postgres' }).default('dev'),
} as const;

export type EnvName = keyof typeof ENV_SCHEMA;
export const ENV_NAMES = Object.keys(ENV_SCHEMA) as EnvName[];

/** The fake's key: only ever sent to a SendGrid endpoint on loopback. */
export const FAKE_SENDGRID_KEY = 'SG.fake-key';

export interface WorkerTuning {
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
}

/** TLS to the Temporal frontend (files, read at connect time); undefined: plaintext. */
export interface TemporalTls {
  /** the CA that signed the frontend's certificate; undefined: the system's CAs */
  caPath: string | undefined;
  /** the client's certificate and key, for a frontend that requires client authentication (mTLS) */
  certPath: string | undefined;
  keyPath: string | undefined;
  /** the name the frontend's certificate carries, when it is not the host of TEMPORAL_ADDRESS */
  serverName: string | undefined;
}

export interface Config {
  temporalAddress: string;
  temporalNamespace: string;
  temporalTls: TemporalTls | undefined;
  taskQueue: string;
  launchTaskQueue: string;
  temporalWebUrl: string;
  databaseUrl: string;
  dbPoolMax: number;
  sendgrid: {
    /** undefined: none was configured (the fake's key is used only against a loopback base URL) */
    apiKey: string | undefined;
    /** undefined = SendGrid's own API */
    baseUrl: string | undefined;
    timeoutMs: number;
  };
  sendgridFakePort: number;
  /** where the SendGrid fake posts its signed events (the stack points it at the service) */
  sendgridFakeWebhookUrl: string | undefined;
  service: {
    host: string;
    port: number;
    /** the base URL customers reach the service at; undefined = http://SERVICE_HOST:SERVICE_PORT (loopback only) */
    publicUrl: string | undefined;
    /** SendGrid's signed-webhook verification key (base64 SPKI DER or PEM) */
    webhookPublicKey: string | undefined;
    webhookMaxBytes: number;
    webhookMaxAgeSeconds: number;
  };
  unsubscribe: {
    /** signs unsubscribe tokens; shared by the workers (which build links) and the service (which checks them) */
    secret: string | undefined;
    /** rotation: the secret before `secret`, which the service still accepts until `previousUntil` (links already sent) */
    previousSecret?: string | undefined;
    previousUntil?: Date | undefined;
    mailto: string | undefined;
  };
  workerRoles: WorkerRole[];
  tuning: WorkerTuning;
  logLevel: (typeof LOG_LEVELS)[number];
  temporalBin: string | undefined;
  testDatabaseUrl: string;
  /** the Temporal server the suite starts: the CLI's dev server, or the production topology's server on PostgreSQL */
  testTopology: 'dev' | 'postgres';
}

/** A configuration mistake: one line per variable, naming it, the value and the expected form. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string | undefined> = {};
  for (const k of ENV_NAMES) raw[k] = env[k] === '' ? undefined : env[k];
  const r = z.object(ENV_SCHEMA).safeParse(raw);
  if (!r.success) {
    // One line per variable: a list (WORKER_ROLES) with several bad items gives one issue per item, all saying the same.
    const lines = new Map<string, string>();
    for (const i of r.error.issues) {
      const key = String(i.path[0]);
      if (!lines.has(key)) lines.set(key, `${key}=${JSON.stringify(raw[key])} is not valid: expected ${i.message}`);
    }
    throw new ConfigError([...lines.values()].join('\n'));
  }
  const e = r.data;
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    const [missing, given] = e.TEMPORAL_TLS_CERT ? ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT'] : ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'];
    throw new ConfigError(`${missing} is required: ${given} is set (the client certificate and its key go together)`);
  }
  return {
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalTls:
      e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_KEY || e.TEMPORAL_TLS_SERVER_NAME
        ? { caPath: e.TEMPORAL_TLS_CA, certPath: e.TEMPORAL_TLS_CERT, keyPath: e.TEMPORAL_TLS_KEY, serverName: e.TEMPORAL_TLS_SERVER_NAME }
        : undefined,
    taskQueue: e.TASK_QUEUE,
    launchTaskQueue: e.LAUNCH_TASK_QUEUE ?? `${e.TASK_QUEUE}-launches`,
    temporalWebUrl: e.TEMPORAL_WEB_URL,
    databaseUrl: e.DATABASE_URL,
    dbPoolMax: e.DB_POOL_MAX,
    sendgrid: { apiKey: e.SENDGRID_API_KEY, baseUrl: e.SENDGRID_BASE_URL, timeoutMs: e.SENDGRID_TIMEOUT_MS },
    sendgridFakePort: e.SENDGRID_FAKE_PORT,
    sendgridFakeWebhookUrl: e.SENDGRID_FAKE_WEBHOOK_URL,
    service: {
      host: e.SERVICE_HOST,
      port: e.SERVICE_PORT,
      publicUrl: e.PUBLIC_URL,
      webhookPublicKey: e.SENDGRID_WEBHOOK_PUBLIC_KEY,
      webhookMaxBytes: e.WEBHOOK_MAX_BYTES,
      webhookMaxAgeSeconds: e.WEBHOOK_MAX_AGE_SECONDS,
    },
    unsubscribe: {
      secret: e.UNSUBSCRIBE_SECRET,
      previousSecret: e.UNSUBSCRIBE_SECRET_PREVIOUS,
      previousUntil: e.UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL,
      mailto: e.UNSUBSCRIBE_MAILTO,
    },
    workerRoles: [...new Set(e.WORKER_ROLES)],
    tuning: {
      ...(e.WORKER_MAX_CONCURRENT_ACTIVITIES ? { maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES } : {}),
      ...(e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ? { maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS } : {}),
      ...(e.WORKER_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS } : {}),
    },
    logLevel: e.LOG_LEVEL,
    temporalBin: e.TEMPORAL_BIN,
    testDatabaseUrl: e.TEST_DATABASE_URL,
    testTopology: e.TEST_TOPOLOGY,
  };
}

/** True for a host name or address on this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** True for an http(s) URL whose host is on this machine (the fake). */
export function isLoopbackUrl(url: string): boolean {
  return isLoopbackHost(new URL(url).hostname);
}

/**
 * A signing secret known to everyone (it is in this repository): it may sign and check only links that nobody but this
 * machine can follow. Used when UNSUBSCRIBE_SECRET is unset and every link is on loopback (the local stack, tests).
 */
export const LOOPBACK_UNSUBSCRIBE_SECRET = 'loopback-only-unsubscribe-secret-not-for-production';

/** The service's public base URL: PUBLIC_URL, or its own loopback address when it is bound to loopback. */
export function publicUrl(c: Pick<Config, 'service'>): string {
  const { publicUrl: url, host, port } = c.service;
  if (url) {
    if (!url.startsWith('https://') && !isLoopbackUrl(url))
      throw new ConfigError(`PUBLIC_URL="${url}" must be an https URL (mail providers and customers follow it; http only on loopback)`);
    return url.replace(/\/+$/, '');
  }
  if (!isLoopbackHost(host))
    throw new ConfigError(
      `PUBLIC_URL is required: SERVICE_HOST is "${host}", not a loopback address (links must name the public https address)`,
    );
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export interface UnsubscribeSettings {
  publicUrl: string;
  secret: string;
  mailto?: string;
}

/**
 * The secret that signs and checks unsubscribe links: UNSUBSCRIBE_SECRET, or the built-in one when `publicWhy` finds
 * nothing that leaves loopback. Whoever knows the secret can unsubscribe anyone whose link they can reach, so a reason
 * to refuse the built-in one stops the process with one line naming UNSUBSCRIBE_SECRET.
 */
function settings(c: Pick<Config, 'service' | 'unsubscribe'>, publicWhy: string | undefined): UnsubscribeSettings {
  const mailto = c.unsubscribe.mailto ? { mailto: c.unsubscribe.mailto } : {};
  if (c.unsubscribe.secret) return { publicUrl: publicUrl(c), secret: c.unsubscribe.secret, ...mailto };
  // The secret's absence first: whatever else is wrong, it is needed beyond loopback.
  const given = c.service.publicUrl;
  const why =
    (!isLoopbackHost(c.service.host) && `SERVICE_HOST is "${c.service.host}", not a loopback address`) ||
    (given && !isLoopbackUrl(given) && `PUBLIC_URL "${given}" is not a loopback address`) ||
    publicWhy;
  if (why) throw new ConfigError(`UNSUBSCRIBE_SECRET is required: ${why} (the built-in secret is public: it is for loopback only)`);
  return { publicUrl: publicUrl(c), secret: LOOPBACK_UNSUBSCRIBE_SECRET, ...mailto };
}

/** What the service needs to check unsubscribe links: see `unsubscribeVerification` for the secrets it accepts. */
export function unsubscribeSettings(c: Pick<Config, 'service' | 'unsubscribe'>): UnsubscribeSettings {
  return settings(c, undefined);
}

/**
 * The unsubscribe link settings of a worker. Its links carry the built-in secret only when the e-mails go to a SendGrid
 * endpoint on loopback too (the fake); and one that sends through SendGrid itself must be told the service's public
 * address: a loopback link in a real customer's e-mail would lead nowhere.
 */
export function workerUnsubscribeSettings(c: Pick<Config, 'service' | 'unsubscribe' | 'sendgrid'>): UnsubscribeSettings {
  const base = c.sendgrid.baseUrl;
  const leaves = !base || !isLoopbackUrl(base);
  const s = settings(
    c,
    leaves ? `e-mails go to ${base ? `SENDGRID_BASE_URL "${base}", not a loopback address` : "SendGrid's own API"}` : undefined,
  );
  if (leaves && isLoopbackUrl(s.publicUrl))
    throw new ConfigError(
      `PUBLIC_URL is required: e-mails go out through SendGrid itself, and their unsubscribe link would be ${s.publicUrl}`,
    );
  return s;
}

/** The secrets the service checks unsubscribe links with: the current one, and during a rotation the previous one. */
export interface UnsubscribeKeys {
  secret: string;
  previous?: { secret: string; until: Date };
}

/**
 * The service's unsubscribe keys. Rotation: the new secret goes in UNSUBSCRIBE_SECRET (workers sign with it at once),
 * the old one in UNSUBSCRIBE_SECRET_PREVIOUS with UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL, after which links signed with it
 * (sent before the rotation) are refused.
 */
export function unsubscribeVerification(c: Pick<Config, 'service' | 'unsubscribe'>): UnsubscribeKeys {
  const { previousSecret, previousUntil } = c.unsubscribe;
  if (!previousSecret && !previousUntil) return { secret: unsubscribeSettings(c).secret };
  if (!previousSecret)
    throw new ConfigError('UNSUBSCRIBE_SECRET_PREVIOUS is required: UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL is set (the secret it ends)');
  if (!previousUntil)
    throw new ConfigError(
      'UNSUBSCRIBE_SECRET_PREVIOUS_UNTIL is required: UNSUBSCRIBE_SECRET_PREVIOUS is set (until when links signed with it work)',
    );
  if (!c.unsubscribe.secret)
    throw new ConfigError('UNSUBSCRIBE_SECRET is required: UNSUBSCRIBE_SECRET_PREVIOUS is set (the new secret goes in UNSUBSCRIBE_SECRET)');
  if (previousSecret === c.unsubscribe.secret)
    throw new ConfigError('UNSUBSCRIBE_SECRET_PREVIOUS is the same as UNSUBSCRIBE_SECRET: it must be the secret before it');
  return { secret: unsubscribeSettings(c).secret, previous: { secret: previousSecret, until: previousUntil } };
}

/**
 * The webhook's verification key. Without one the service refuses to start unless it is bound to loopback (local use);
 * there the webhook answers 503 until a key is configured, and never takes an unsigned event.
 */
export function webhookPublicKey(c: Pick<Config, 'service'>): string | undefined {
  if (c.service.webhookPublicKey) return c.service.webhookPublicKey;
  if (isLoopbackHost(c.service.host)) return undefined;
  throw new ConfigError(
    `SENDGRID_WEBHOOK_PUBLIC_KEY is required: SERVICE_HOST is "${c.service.host}", not a loopback address (SendGrid's Signed Event Webhook key)`,
  );
}

/**
 * The API key a worker sends with. The fake's key is a default only for a SendGrid endpoint on loopback: anywhere
 * else (SendGrid itself, or any other host) a missing key refuses to start instead of earning endless 401s.
 */
export function sendgridApiKey(c: Config['sendgrid']): string {
  if (c.apiKey) return c.apiKey;
  if (c.baseUrl && isLoopbackUrl(c.baseUrl)) return FAKE_SENDGRID_KEY;
  throw new ConfigError(
    `SENDGRID_API_KEY is required: SENDGRID_BASE_URL is ${c.baseUrl ? `"${c.baseUrl}", not a loopback address` : "unset (SendGrid's own API)"}`,
  );
}
