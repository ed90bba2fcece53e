// SendGrid's webhook events, stored once and applied in the same transaction (README "Event webhook"): the send's
// delivery status, the customer's quality code (SmartCom's codes) and subscriptions. An event is matched to its send by
// send_key (or, without one, by the message id) AND the recipient's address: events for BCC copies, for an address the
// customer no longer has, or for no known send are stored and change nothing else.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { normalizeEmail } from '../email/address';
import { addressRedactor, redactStrings } from '../email/redact';
import {
  isHardCode,
  qualityForBounce,
  qualityForDeferred,
  qualityForDropped,
  QUALITY,
  SOFT_LIMIT,
  SOFT_WINDOW_DAYS,
  type QualityVerdict,
} from '../email/deliveryQuality';
import type { Db } from './knex';
import { settleByEvent } from './ledger';
import { categoryForAsmGroup, setCategoryEmail, setEmailChannel } from './subscriptions';

export const EVENT_TYPES = [
  'processed',
  'dropped',
  'delivered',
  'deferred',
  'bounce',
  'open',
  'click',
  'spamreport',
  'unsubscribe',
  'group_unsubscribe',
  'group_resubscribe',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One webhook event, as the service parsed it (SendGrid's field names in comments). */
export interface DeliveryEvent {
  sgEventId: string; // sg_event_id
  event: EventType;
  /** unix seconds */
  timestamp: number;
  email: string;
  sgMessageId?: string; // sg_message_id
  sendKey?: string; // custom_args.send_key, echoed as a top-level key
  url?: string;
  type?: string; // bounce: bounce | blocked
  status?: string; // enhanced SMTP status, e.g. 5.1.1
  reason?: string;
  response?: string;
  attempt?: string;
  asmGroupId?: number; // asm_group_id
  /** open: SendGrid says a machine loaded the message (sg_machine_open: Apple Mail's privacy proxy), not a person */
  machineOpen?: boolean;
  /** the event as received */
  raw: Record<string, unknown>;
}

export type Match = 'recipient' | 'bcc' | 'other_address' | 'no_send' | 'no_customer';

export interface AppliedEvent {
  sgEventId: string;
  /** false: this event (by sg_event_id or by content) was stored before; nothing changed */
  stored: boolean;
  match?: Match;
  effects: string[];
  /**
   * The run to tell (emailEvent signal) once the batch is committed: the event settled a send the run waits on (its
   * answer was lost; SendGrid's word says it took it), or it may change the status a Check e-mail status of the send's
   * campaign version decides on. Absent for every other event.
   */
  notify?: { runKey: string; actionId: string };
  /** the ledger status a send whose answer was lost had when this event proved SendGrid took it */
  settled?: string;
}

/**
 * What is kept of an event: everything but the address, the IP and the user agent. The address becomes its role (the
 * matching that needs it is done by now), and an address quoted anywhere else (a bounce's reason) is replaced too.
 */
export function storablePayload(e: DeliveryEvent, match: Match): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(e.raw).filter(([k]) => k !== 'email' && k !== 'ip' && k !== 'useragent'));
  const redact = addressRedactor(match === 'recipient' ? { to: e.email } : match === 'bcc' ? { to: '', bcc: [e.email] } : { to: '' });
  const role = match === 'recipient' ? '<to>' : match === 'bcc' ? '<bcc>' : '<address>';
  return { ...(redactStrings(rest, redact) as Record<string, unknown>), email: role };
}

// The events that can change a Check e-mail status's decision (src/db/emailStatus.ts).
const STATUS_EVENTS: ReadonlySet<EventType> = new Set(['delivered', 'bounce', 'dropped', 'open', 'click']);
// A Check e-mail status of $id, wherever it sits in the stored campaign's tree.
const CHECK_OF_ACTION = '$.** ? (@.type == "checkEmailStatus" && @.settings.emailActionId == $id)';

/**
 * What identifies an event whatever its sg_event_id (SendGrid gives a resent batch new ones): the message (or, for an
 * event without one, the send), the event, its time, the address, the URL and the deferral attempt. A machine's open is
 * not a person's open of the same second: that part is added to machine opens only, so every other event keeps its key.
 */
export function contentKey(e: DeliveryEvent): string {
  const message = e.sgMessageId ?? `send:${e.sendKey ?? ''}`;
  const parts = [message, e.event, String(e.timestamp), e.email.trim().toLowerCase(), e.url ?? '', e.attempt ?? ''];
  if (e.machineOpen) parts.push('machine');
  return createHash('sha256').update(parts.join('\n')).digest('base64url');
}

interface SendRow {
  ledger_id: string;
  run_key: string;
  customer_id: string;
  campaign_id: string;
  campaign_version: number;
  action_id: string;
}

/** A send key is `<run key>/<action id>`; action ids hold no '/'. */
function splitSendKey(sendKey: string): { runKey: string; actionId: string } | null {
  const i = sendKey.lastIndexOf('/');
  return i > 0 && i < sendKey.length - 1 ? { runKey: sendKey.slice(0, i), actionId: sendKey.slice(i + 1) } : null;
}

const SEND_COLUMNS = 'id as ledger_id, run_key, customer_id, campaign_id, campaign_version, action_id';

async function findSend(trx: Knex.Transaction, e: DeliveryEvent): Promise<SendRow | null> {
  const key = e.sendKey ? splitSendKey(e.sendKey) : null;
  if (key) {
    const { rows } = await trx.raw(`select ${SEND_COLUMNS} from send_ledger where run_key = ? and action_id = ? order by id limit 1`, [
      key.runKey,
      key.actionId,
    ]);
    return rows[0] ?? null;
  }
  // Without custom_args (some asynchronous bounces): sg_message_id is "<X-Message-Id>.<suffix>".
  const messageId = e.sgMessageId?.split('.')[0];
  if (!messageId) return null;
  const { rows } = await trx.raw(`select ${SEND_COLUMNS} from send_ledger where provider_message_id = ? limit 1`, [messageId]);
  return rows[0] ?? null;
}

interface CustomerRow {
  external_id: string;
  email: string | null;
  email_quality_code: number;
  email_quality_event_at: Date | null;
  email_soft_reset_at: Date | null;
}

// The BCC list of the e-mail action $id, wherever it sits in the stored campaign's tree.
const BCC_OF_ACTION = '$.** ? (@.id == $id && @.type == "sendEmail").settings.bcc[*]';

async function matchEvent(
  trx: Knex.Transaction,
  e: DeliveryEvent,
  send: SendRow | null,
): Promise<{ match: Match; send?: SendRow; customer?: CustomerRow }> {
  if (!send) return { match: 'no_send' };
  // Locked by lockCustomers already (a no-op here): two batches for one customer apply one after the other.
  const customer: CustomerRow | undefined = await trx('customers')
    .where({ external_id: send.customer_id })
    .forUpdate()
    .first('external_id', 'email', 'email_quality_code', 'email_quality_event_at', 'email_soft_reset_at');
  if (!customer) return { match: 'no_customer', send };
  const address = normalizeEmail(e.email);
  if (customer.email && normalizeEmail(customer.email) === address) return { match: 'recipient', send, customer };
  const { rows } = await trx.raw(
    `select exists (
       select 1 from campaign_versions cv,
              jsonb_path_query(cv.document, ?::jsonpath, jsonb_build_object('id', ?::text)) as b
        where cv.campaign_id = ? and cv.version = ? and lower(b #>> '{}') = ?) as bcc`,
    // The path goes in as a binding: its own '?' would otherwise read as a placeholder.
    [BCC_OF_ACTION, send.action_id, send.campaign_id, send.campaign_version, address],
  );
  return { match: rows[0].bcc ? 'bcc' : 'other_address', send, customer };
}

// How far a send got; a later event of a lower rank (they arrive in any order) does not move it back.
const RANK: Record<string, number> = { processed: 1, deferred: 2, delivered: 3, bounced: 4, dropped: 4 };

interface DeliveryRow {
  status: string | null;
  status_at: Date | null;
}

type Engagement = 'open' | 'machineOpen' | 'click';
const ENGAGEMENT_COLUMNS: Record<Engagement, [string, string, string]> = {
  open: ['open_count', 'first_opened_at', 'last_opened_at'],
  machineOpen: ['machine_open_count', 'first_machine_open_at', 'last_machine_open_at'],
  click: ['click_count', 'first_clicked_at', 'last_clicked_at'],
};
const ENGAGEMENT_EFFECT: Record<Engagement, string> = { open: 'opened', machineOpen: 'machine open', click: 'clicked' };

class Effects {
  readonly done: string[] = [];
  constructor(
    private readonly trx: Knex.Transaction,
    private readonly send: SendRow,
    private readonly customer: CustomerRow,
    private readonly at: Date,
  ) {}

  /** The send's delivery row, created on its first event, locked for this transaction. */
  async delivery(): Promise<DeliveryRow> {
    await this.trx.raw(`insert into send_delivery (ledger_id, customer_id) values (?, ?) on conflict (ledger_id) do nothing`, [
      this.send.ledger_id,
      this.send.customer_id,
    ]);
    return this.trx('send_delivery').where({ ledger_id: this.send.ledger_id }).forUpdate().first('status', 'status_at');
  }

  async update(set: Record<string, unknown>): Promise<void> {
    await this.trx('send_delivery')
      .where({ ledger_id: this.send.ledger_id })
      .update({ ...set, updated_at: this.trx.fn.now() });
  }

  async status(status: string, extra: Record<string, unknown> = {}): Promise<void> {
    const row = await this.delivery();
    const old = row.status ? RANK[row.status] : 0;
    const newer = RANK[status] > old || (RANK[status] === old && (!row.status_at || row.status_at <= this.at));
    await this.update({ ...extra, ...(newer ? { status, status_at: this.at } : {}) });
    if (newer) this.done.push(`status ${status}`);
  }

  /** first/last time and count of an open, a machine's open (counted apart: nobody read the mail) or a click */
  async engagement(kind: Engagement): Promise<void> {
    await this.delivery();
    const [count, first, last] = ENGAGEMENT_COLUMNS[kind];
    await this.trx.raw(
      `update send_delivery set ${count} = ${count} + 1, ${first} = least(coalesce(${first}, ?), ?), ${last} = greatest(coalesce(${last}, ?), ?),
              updated_at = now() where ledger_id = ?`,
      [this.at, this.at, this.at, this.at, this.send.ledger_id],
    );
    this.done.push(ENGAGEMENT_EFFECT[kind]);
  }

  async quality(v: QualityVerdict): Promise<void> {
    if (v.kind === 'hard') return this.hard(v.code);
    return this.soft(v.code);
  }

  /** A hard code excludes the address; an address that already has one keeps its first. */
  async hard(code: number): Promise<void> {
    await this.delivery();
    await this.update({ quality_code: code });
    if (isHardCode(this.customer.email_quality_code)) return;
    await this.setCode(code);
  }

  /**
   * A soft failure counts once per send (a message deferred five times is one failure). Its code is set unless the
   * address already has a hard one or a newer event set one; SOFT_LIMIT of them within SOFT_WINDOW_DAYS since the last
   * delivery to the same address make it 34.
   */
  async soft(code: number): Promise<void> {
    await this.delivery();
    const address = normalizeEmail(this.customer.email!);
    const { rowCount } = await this.trx.raw(
      `insert into email_soft_failures (customer_id, email, ledger_id, quality_code, occurred_at) values (?, ?, ?, ?, ?)
       on conflict (ledger_id) do nothing`,
      [this.customer.external_id, address, this.send.ledger_id, code, this.at],
    );
    if (!rowCount) return;
    await this.update({ quality_code: code });
    if (isHardCode(this.customer.email_quality_code)) return;
    const { rows } = await this.trx.raw(
      `select count(*)::int as n from email_soft_failures
        where customer_id = ? and email = ? and occurred_at > ?::timestamptz - interval '${SOFT_WINDOW_DAYS} days' and occurred_at <= ?
          and occurred_at > coalesce(?::timestamptz, '-infinity')`,
      [this.customer.external_id, address, this.at, this.at, this.customer.email_soft_reset_at],
    );
    this.done.push(`soft failure ${rows[0].n} of ${SOFT_LIMIT}`);
    if (rows[0].n >= SOFT_LIMIT) return this.setCode(QUALITY.attemptsExhausted);
    const at = this.customer.email_quality_event_at;
    if (!at || at <= this.at) await this.setCode(code);
  }

  /** A delivery proves the address works: soft failures before it no longer count, and a soft code before it goes. */
  async delivered(): Promise<void> {
    const c = this.customer;
    const set: Record<string, unknown> = {};
    if (!c.email_soft_reset_at || c.email_soft_reset_at < this.at) set.email_soft_reset_at = this.at;
    const code = c.email_quality_code;
    if (code > 0 && !isHardCode(code) && (!c.email_quality_event_at || c.email_quality_event_at <= this.at)) {
      set.email_quality_code = QUALITY.ok;
      set.email_quality_event_at = this.at;
      this.done.push('quality 0 (delivered)');
    }
    if (Object.keys(set).length)
      await this.trx('customers')
        .where({ external_id: c.external_id })
        .update({ ...set, updated_at: this.trx.fn.now() });
    Object.assign(c, set);
  }

  private async setCode(code: number): Promise<void> {
    await this.trx('customers')
      .where({ external_id: this.customer.external_id })
      .update({ email_quality_code: code, email_quality_event_at: this.at, updated_at: this.trx.fn.now() });
    this.customer.email_quality_code = code;
    this.customer.email_quality_event_at = this.at;
    this.done.push(`quality ${code}`);
  }

  async channelOff(): Promise<void> {
    await setEmailChannel(this.trx, this.customer.external_id, false);
    this.done.push('channel unsubscribed');
  }

  async group(groupId: number | undefined, subscribed: boolean): Promise<boolean> {
    const category = groupId === undefined ? null : await categoryForAsmGroup(this.trx, groupId);
    if (!category) {
      this.done.push(`no category for ASM group ${groupId ?? '(none)'}`);
      return false;
    }
    if (!category.visible) {
      this.done.push(`category ${category.code} is hidden: not changed`);
      return false;
    }
    await setCategoryEmail(this.trx, this.customer.external_id, category.code, subscribed);
    this.done.push(`category ${category.code} ${subscribed ? 'resubscribed' : 'unsubscribed'}`);
    return true;
  }

  async deferral(): Promise<void> {
    await this.trx.raw(
      'update send_delivery set deferred_count = deferred_count + 1, last_deferred_at = greatest(coalesce(last_deferred_at, ?), ?) where ledger_id = ?',
      [this.at, this.at, this.send.ledger_id],
    );
  }

  async unsubscribed(): Promise<void> {
    await this.delivery();
    await this.trx.raw(`update send_delivery set unsubscribed_at = coalesce(unsubscribed_at, ?), updated_at = now() where ledger_id = ?`, [
      this.at,
      this.send.ledger_id,
    ]);
  }
}

async function applyEffects(fx: Effects, e: DeliveryEvent, at: Date): Promise<void> {
  switch (e.event) {
    case 'processed':
      return fx.status('processed', { processed_at: at });
    case 'deferred': {
      await fx.status('deferred');
      await fx.deferral();
      return fx.soft(qualityForDeferred(e).code);
    }
    case 'delivered':
      await fx.status('delivered', { delivered_at: at });
      return fx.delivered();
    case 'bounce': {
      const v = qualityForBounce(e);
      await fx.status('bounced', { bounced_at: at, bounce_type: e.type ?? 'bounce', bounce_class: v.kind });
      return fx.quality(v);
    }
    case 'dropped': {
      await fx.status('dropped', { dropped_at: at, drop_reason: e.reason ?? null });
      const v = qualityForDropped(e.reason);
      if (v) {
        await fx.quality(v);
        if (v.unsubscribe === 'channel') await fx.channelOff();
      } else if (/^unsubscribed address/i.test(e.reason ?? '')) {
        // SendGrid's own suppression list says the customer unsubscribed: ours follows (the group's category, else all).
        if (!(e.asmGroupId !== undefined && (await fx.group(e.asmGroupId, false)))) await fx.channelOff();
      }
      return;
    }
    case 'open':
      // A machine's open (Apple Mail's proxy) is no sign a person read the mail: counted apart, changes nothing else.
      return fx.engagement(e.machineOpen ? 'machineOpen' : 'open');
    case 'click':
      return fx.engagement('click');
    case 'spamreport':
      await fx.delivery();
      await fx.update({ spam_reported_at: at });
      await fx.hard(QUALITY.spamComplaint);
      return fx.channelOff();
    case 'unsubscribe':
      await fx.unsubscribed();
      return fx.channelOff();
    case 'group_unsubscribe':
      if (await fx.group(e.asmGroupId, false)) await fx.unsubscribed();
      return;
    case 'group_resubscribe':
      await fx.group(e.asmGroupId, true);
      return;
  }
}

/** Whether the send's campaign version checks this e-mail's status (memoised per batch: many events share a version). */
async function checked(trx: Knex.Transaction, send: SendRow, memo: Map<string, boolean>): Promise<boolean> {
  const key = `${send.campaign_id}\n${send.campaign_version}\n${send.action_id}`;
  let hit = memo.get(key);
  if (hit === undefined) {
    const { rows } = await trx.raw(
      `select exists (select 1 from campaign_versions cv
          where cv.campaign_id = ? and cv.version = ? and jsonb_path_exists(cv.document, ?::jsonpath, jsonb_build_object('id', ?::text))) as hit`,
      [send.campaign_id, send.campaign_version, CHECK_OF_ACTION, send.action_id],
    );
    memo.set(key, (hit = rows[0].hit === true));
  }
  return hit;
}

/**
 * Locks every customer the batch's events are for, in one fixed order (their ids'), before anything else is written:
 * batches that share customers (SendGrid resends many at once after an outage, each in its own order) then wait for one
 * another instead of deadlocking, as they did when each customer was locked as its event came, in the batch's order.
 * Everything else the batch writes (the sends' rows, the ledger, soft failures, subscriptions) is a locked customer's.
 */
async function lockCustomers(trx: Knex.Transaction, sends: (SendRow | null)[]): Promise<void> {
  const ids = [...new Set(sends.flatMap((s) => (s ? [s.customer_id] : [])))];
  if (ids.length === 0) return;
  await trx.raw('select 1 from customers where external_id = any(?::text[]) order by external_id for update', [ids]);
}

/**
 * Stores and applies a batch in one transaction: all of it or none of it (a failure rolls back, the webhook answers 5xx
 * and SendGrid sends the batch again). Events already stored, by sg_event_id or by content, change nothing.
 */
export async function applyDeliveryEvents(db: Db, events: DeliveryEvent[]): Promise<AppliedEvent[]> {
  return db.transaction(async (trx) => {
    const out: AppliedEvent[] = [];
    const checks = new Map<string, boolean>();
    const sends: (SendRow | null)[] = [];
    for (const e of events) sends.push(await findSend(trx, e));
    await lockCustomers(trx, sends);
    for (const [i, e] of events.entries()) {
      const at = new Date(e.timestamp * 1000);
      const { match, send, customer } = await matchEvent(trx, e, sends[i]);
      const { rows } = await trx.raw(
        `insert into webhook_events (sg_event_id, content_key, event, event_at, sg_message_id, send_key, matched, ledger_id, customer_id, payload)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning id`,
        [
          e.sgEventId,
          contentKey(e),
          e.event,
          at,
          e.sgMessageId ?? null,
          e.sendKey ?? null,
          match,
          send?.ledger_id ?? null,
          send?.customer_id ?? null,
          JSON.stringify(storablePayload(e, match)),
        ],
      );
      if (rows.length === 0) {
        out.push({ sgEventId: e.sgEventId, stored: false, effects: [] });
        continue;
      }
      const effects: string[] = [];
      let notify: AppliedEvent['notify'];
      // Any event carrying the send's send_key (a BCC copy's too) proves SendGrid took the send.
      const settled = send && e.sendKey ? await settleByEvent(trx, send.ledger_id, e.sgMessageId?.split('.')[0], e.event) : null;
      if (settled) {
        effects.push(`send confirmed (was ${settled})`);
        if (settled === 'unknown') notify = { runKey: send!.run_key, actionId: send!.action_id };
      }
      if (match === 'recipient') {
        const fx = new Effects(trx, send!, customer!, at);
        await applyEffects(fx, e, at);
        effects.push(...fx.done);
        await trx('webhook_events')
          .where({ id: rows[0].id })
          .update({ effects: effects.join('; ') || null });
        if (STATUS_EVENTS.has(e.event) && (await checked(trx, send!, checks)))
          notify = { runKey: send!.run_key, actionId: send!.action_id };
      } else if (settled) {
        await trx('webhook_events')
          .where({ id: rows[0].id })
          .update({ effects: effects.join('; ') });
      }
      out.push({
        sgEventId: e.sgEventId,
        stored: true,
        match,
        effects,
        ...(notify ? { notify } : {}),
        ...(settled ? { settled } : {}),
      });
    }
    return out;
  });
}

/**
 * The customer unsubscribed through the link of this send (the unsubscribe page or one-click): the send counts as
 * unsubscribed in the report. Nothing happens when the send is unknown or another customer's.
 */
export async function markSendUnsubscribed(q: Knex | Knex.Transaction, sendKey: string, customerId: string): Promise<void> {
  const key = splitSendKey(sendKey);
  if (!key) return;
  await q.raw(
    `insert into send_delivery (ledger_id, customer_id, unsubscribed_at)
       select id, customer_id, now() from send_ledger where run_key = ? and action_id = ? and customer_id = ?
     on conflict (ledger_id) do update set unsubscribed_at = coalesce(send_delivery.unsubscribed_at, excluded.unsubscribed_at), updated_at = now()`,
    [key.runKey, key.actionId, customerId],
  );
}
