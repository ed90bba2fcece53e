// createActivities(deps): every activity gets its dependencies here, so tests and the worker wire the same code to
// different databases and SendGrid endpoints.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/knex';
import type { Mailer } from '../email/mailer';
import type { UnsubscribeLinkConfig } from '../email/unsubscribeToken';
import { CampaignCache } from './campaignCache';
import { createCloseSend, createReadSend } from './closeSend';
import { createEmailStatus } from './emailStatus';
import { createPrepareRun } from './prepareRun';
import { createRecordFlow } from './recordFlow';
import { createSendEmail } from './sendEmail';
import { sendWindowOpening } from './sendWindow';
import { createSetTag } from './setTag';
import { createStartLaunchPage } from './startLaunchPage';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  /** how long one attempt owns a send; must exceed the SendGrid client timeout */
  sendLeaseMs: number;
  /** launches start runs through the client, on this task queue */
  client: Client;
  taskQueue: string;
  /**
   * Ask the server to hand each started run's first workflow task straight to this process's runs worker. Needs `client`
   * to be built on the worker's NativeConnection (src/worker.ts); the server falls back to the task queue when no slot
   * is free.
   */
  eagerStart?: boolean;
  /** the unsubscribe link every e-mail carries (its base URL and signing secret) */
  unsubscribe?: UnsubscribeLinkConfig;
  /** the time e-mails render at; default the system clock (tests fix it) */
  clock?: () => Date;
}

export function createActivities(deps: ActivityDeps) {
  const campaigns = new CampaignCache(deps.db);
  return {
    sendEmail: createSendEmail({
      db: deps.db,
      mailer: deps.mailer,
      campaigns,
      leaseMs: deps.sendLeaseMs,
      unsubscribe: deps.unsubscribe,
      clock: deps.clock,
    }),
    prepareRun: createPrepareRun({ campaigns }),
    closeSend: createCloseSend({ db: deps.db }),
    readSend: createReadSend({ db: deps.db }),
    setTag: createSetTag({ db: deps.db, campaigns }),
    recordFlow: createRecordFlow({ db: deps.db }),
    emailStatus: createEmailStatus({ db: deps.db }),
    sendWindowOpening,
    startLaunchPage: createStartLaunchPage({
      db: deps.db,
      client: deps.client,
      taskQueue: deps.taskQueue,
      eagerStart: deps.eagerStart,
      campaigns,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
