// The activities of Send e-mail: sendEmail (the send itself, activitySend.ts); closeSend and readSend, the run's look at
// and close of a send it gave up on or waits on (activityCloseSend.ts); sendWindowOpening, when the send window next
// opens (activitySendWindow.ts).
import type { Db } from '../../db/knex';
import type { Mailer } from '../../email/mailer';
import type { UnsubscribeLinkConfig } from '../../email/unsubscribeToken';
import type { CampaignCache } from '../../activities/campaignCache';
import { createCloseSend, createReadSend } from './activityCloseSend';
import { createSendEmail } from './activitySend';
import { sendWindowOpening } from './activitySendWindow';

export function sendEmailActivities(deps: {
  db: Db;
  mailer: Mailer;
  campaigns: CampaignCache;
  sendLeaseMs: number;
  unsubscribe?: UnsubscribeLinkConfig;
  clock?: () => Date;
}) {
  return {
    sendEmail: createSendEmail({
      db: deps.db,
      mailer: deps.mailer,
      campaigns: deps.campaigns,
      leaseMs: deps.sendLeaseMs,
      unsubscribe: deps.unsubscribe,
      clock: deps.clock,
    }),
    closeSend: createCloseSend({ db: deps.db }),
    readSend: createReadSend({ db: deps.db }),
    sendWindowOpening,
  };
}
