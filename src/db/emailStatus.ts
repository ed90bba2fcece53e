// What became of one sent e-mail, in SmartCom's four statuses (Check e-mail status), from what the webhook stored in
// send_delivery. The order of the tests is the order of the statuses: a click beats everything (a click proves the
// message arrived, whatever order SendGrid's events came in), then an open, then a bounce or a drop, then a delivery.
// A machine's open (sg_machine_open: Apple Mail's proxy loads every message) is an open only when the campaign counts
// machine opens; by default the e-mail is then delivered, not opened.
import type { EmailStatus, EmailStatusQuery, EmailStatusReading } from '../contract';
import type { Db } from './knex';

interface Delivery {
  status: string | null;
  open_count: number | null;
  machine_open_count: number | null;
  click_count: number | null;
}

interface Row extends Delivery {
  ledger_status: string;
}

export function emailStatusOf(d: Delivery, machineOpens: EmailStatusQuery['machineOpens'] = undefined): EmailStatus {
  if ((d.click_count ?? 0) > 0) return 'clicked';
  if ((d.open_count ?? 0) > 0) return 'opened_not_clicked';
  if (machineOpens === 'counted' && (d.machine_open_count ?? 0) > 0) return 'opened_not_clicked';
  if (d.status === 'delivered') return 'delivered_not_opened';
  // bounced, dropped; or processed, deferred or nothing yet: not delivered by the decision time
  return 'undelivered';
}

export async function readEmailStatus(db: Db, q: EmailStatusQuery): Promise<EmailStatusReading> {
  const { rows } = await db.raw(
    `select l.status as ledger_status, d.status, d.open_count, d.machine_open_count, d.click_count
       from send_ledger l left join send_delivery d on d.ledger_id = l.id
      where l.run_key = ? and l.action_id = ?`,
    [q.runKey, q.emailActionId],
  );
  const r = rows[0] as Row | undefined;
  if (!r || r.ledger_status !== 'sent') return { sent: false, ledgerStatus: r?.ledger_status ?? null };
  return { sent: true, status: emailStatusOf(r, q.machineOpens) };
}
