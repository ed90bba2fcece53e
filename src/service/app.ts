// The HTTP service (`campaign-runner serve`): SendGrid's event webhook, the unsubscribe endpoints, /healthz and /readyz.
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { publicUrl, unsubscribeVerification, webhookPublicKey, type Config } from '../config';
import type { UnsubscribeKeys } from '../email/unsubscribeToken';
import type { Db } from '../db/knex';
import { temporalNotifier, type RunNotifier } from './runSignals';
import { registerUnsubscribe } from './unsubscribe';
import { registerWebhook } from './webhook';

export interface ServiceOptions {
  db: Db;
  /** base64 SPKI DER or PEM; undefined: the webhook answers 503 */
  webhookPublicKey: string | undefined;
  webhookMaxBytes: number;
  webhookMaxAgeSeconds: number;
  /** the unsubscribe links' secret, and during a rotation the previous one until its end */
  unsubscribeKeys: UnsubscribeKeys;
  /** one line per event worth an operator's eye; ids only, never an address (default: stderr) */
  log?: (line: string) => void;
  /** the Temporal client that tells waiting checks of new events (README "Check e-mail status"); absent: none is told */
  temporal?: Client;
  /** how long a signal to a run may wait for Temporal before it is given up (default 10 s) */
  signalTimeoutMs?: number;
}

export async function buildService(o: ServiceOptions): Promise<FastifyInstance> {
  // Fastify's request log would print unsubscribe URLs, whose tokens act for the customer: our own lines only.
  // maxParamLength: an unsubscribe token is about 200 characters (fastify's default, 100, answers 414).
  const app = Fastify({ logger: false, bodyLimit: 65_536, routerOptions: { maxParamLength: 1000 } });
  const log = o.log ?? ((line: string) => console.error(line));
  const notifier: RunNotifier | undefined = o.temporal ? temporalNotifier(o.temporal, log, o.signalTimeoutMs) : undefined;
  // Closing the service waits for the signals it has sent.
  if (notifier) app.addHook('onClose', async () => notifier.close());
  app.get('/healthz', async () => ({ ok: true }));
  // Ready when the database answers: without it no event can be stored (SendGrid then retries).
  app.get('/readyz', async (_req, reply) => {
    try {
      await o.db.raw('select 1');
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false, error: 'database unavailable' });
    }
  });
  await registerWebhook(app, {
    db: o.db,
    publicKey: o.webhookPublicKey,
    maxBytes: o.webhookMaxBytes,
    maxAgeSeconds: o.webhookMaxAgeSeconds,
    log,
    notifier,
  });
  await registerUnsubscribe(app, { db: o.db, keys: o.unsubscribeKeys, log });
  return app;
}

export interface RunningService {
  app: FastifyInstance;
  /** http://host:port it listens on */
  url: string;
  close(): Promise<void>;
}

/**
 * Checks the configuration (a webhook key and an unsubscribe secret are required unless the service is bound to
 * loopback, the secret also unless its links point to loopback), builds the service and listens on
 * SERVICE_HOST:SERVICE_PORT (`port` 0 = a free one, for tests).
 */
export async function startService(
  config: Pick<Config, 'service' | 'unsubscribe'>,
  db: Db,
  opts: { port?: number; log?: (line: string) => void; temporal?: Client; signalTimeoutMs?: number } = {},
): Promise<RunningService> {
  const key = webhookPublicKey(config);
  const unsubscribeKeys = unsubscribeVerification(config);
  publicUrl(config);
  const app = await buildService({
    db,
    webhookPublicKey: key,
    webhookMaxBytes: config.service.webhookMaxBytes,
    webhookMaxAgeSeconds: config.service.webhookMaxAgeSeconds,
    unsubscribeKeys,
    log: opts.log,
    temporal: opts.temporal,
    signalTimeoutMs: opts.signalTimeoutMs,
  });
  const address = await app.listen({ host: config.service.host, port: opts.port ?? config.service.port });
  return { app, url: address, close: () => app.close() };
}
