// What became of one sent e-mail, in SmartCom's four statuses (Check e-mail status), from what the webhook stored in
// send_delivery. The order of the tests is the order of the statuses: a click beats everything (a click proves the
// message arrived, whatever order SendGrid's events came in), then an open, then a bounce or a drop, then a delivery.
import type { EmailStatus, EmailStatusQuery, EmailStatusReading } from '../contract';
import type { Db } from './knex';

interface Row {
  ledger_status: string;
  status: string | null;
  open_count: number | null;
  click_count: number | null;
}

export function emailStatusOf(d: { status: string | null; open_count: number | null; click_count: number | null }): EmailStatus {
  if ((d.click_count ?? 0) > 0) return 'clicked';
  if ((d.open_count ?? 0) > 0) return 'opened_not_clicked';
  if (d.status === 'delivered') return 'delivered_not_opened';
  // bounced, dropped; or processed, deferred or nothing yet: not delivered by the decision time
  return 'undelivered';
}

export async function readEmailStatus(db: Db, q: EmailStatusQuery): Promise<EmailStatusReading> {
  const { rows } = await db.raw(
    `select l.status as ledger_status, d.status, d.open_count, d.click_count
       from send_ledger l left join send_delivery d on d.ledger_id = l.id
      where l.run_key = ? and l.action_id = ?`,
    [q.runKey, q.emailActionId],
  );
  const r = rows[0] as Row | undefined;
  if (!r || r.ledger_status !== 'sent') return { sent: false, ledgerStatus: r?.ledger_status ?? null };
  return { sent: true, status: emailStatusOf(r) };
}
