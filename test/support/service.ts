// The HTTP service for end-to-end tests: the production service on a free loopback port, against the test database,
// verifying with the SendGrid fake's key; the fake's Event Webhook posts to it while it runs.
import type { Client } from '@temporalio/client';
import { LOOPBACK_UNSUBSCRIBE_SECRET } from '../../src/config';
import { startService, type RunningService } from '../../src/service/app';
import type { WebhookSettings } from '../../dev/sendgridFakeEvents';
import type { Db } from '../../src/db/knex';
import { testEnv } from './env';

export interface TestService extends RunningService {
  /** lines the service logged */
  logs: string[];
  webhookUrl: string;
}

export async function startTestService(
  o: {
    db?: Db;
    webhook?: WebhookSettings;
    maxBytes?: number;
    maxAgeSeconds?: number;
    publicKey?: string | null;
    /** the client that signals runs waiting in a Check e-mail status (default: none) */
    temporal?: Client;
    signalTimeoutMs?: number;
  } = {},
): Promise<TestService> {
  const env = testEnv();
  const logs: string[] = [];
  const service = await startService(
    {
      service: {
        host: '127.0.0.1',
        port: 0,
        publicUrl: undefined,
        webhookPublicKey: o.publicKey === null ? undefined : (o.publicKey ?? env.fake.webhook.publicKey),
        webhookMaxBytes: o.maxBytes ?? 1_048_576,
        webhookMaxAgeSeconds: o.maxAgeSeconds ?? 600,
      },
      unsubscribe: { secret: LOOPBACK_UNSUBSCRIBE_SECRET, mailto: undefined },
    },
    o.db ?? env.db,
    { port: 0, log: (l) => logs.push(l), temporal: o.temporal, signalTimeoutMs: o.signalTimeoutMs },
  );
  const webhookUrl = `${service.url}/sendgrid/events`;
  env.fake.webhook.configure({ url: webhookUrl, signing: 'valid', newEventIdsOnRetry: false, flushMs: 50, retryBaseMs: 100, ...o.webhook });
  return {
    ...service,
    logs,
    webhookUrl,
    async close() {
      // Stop the fake posting to a closed port; later tests configure their own.
      if (env.fake.webhook && testEnv().fake) env.fake.webhook.configure({ url: undefined });
      await service.close();
    },
  };
}

type ServiceOptions = Parameters<typeof startTestService>[0];

/**
 * The describe block's service: started before its tests (with `o`, or what `o()` returns then), closed after them.
 * Declare it before useWorker(), whose worker needs its URL.
 */
export function useService(o: ServiceOptions | (() => ServiceOptions) = {}): TestService {
  const service = {} as TestService;
  before(async () => {
    Object.assign(service, await startTestService(typeof o === 'function' ? o() : o));
  });
  after(async () => service.close?.());
  return service;
}
