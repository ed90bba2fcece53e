// The emailStatus local activity of Check e-mail status: reads what the webhook recorded for the checked e-mail. Its
// answer goes into the run's history, so a replay decides the same branch whatever the table holds by then.
import type { EmailStatusQuery, EmailStatusReading } from '../../contract';
import { readEmailStatus } from '../../db/emailStatus';
import type { Db } from '../../db/knex';

export function createEmailStatus(deps: { db: Db }) {
  return async function emailStatus(q: EmailStatusQuery): Promise<EmailStatusReading> {
    return readEmailStatus(deps.db, q);
  };
}

export function checkEmailStatusActivities(deps: { db: Db }) {
  return { emailStatus: createEmailStatus(deps) };
}
