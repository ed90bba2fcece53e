/**
 * The SendGrid fake speaks back: after it accepts a message it posts Event Webhook events for every recipient (to, cc,
 * bcc) to a configured URL, as SendGrid does (shared/notes/sendgrid-v3.md §4, §5, §6 items 11-15):
 * - batches: a JSON array, events separated by CRLF and ending with CRLF, SendGrid's field names, custom_args as
 *   top-level keys, `category` an array, `asm_group_id`, `sg_message_id = <X-Message-Id>.<suffix>`, int timestamps;
 * - signed: ECDSA P-256 over timestamp + raw body, base64 DER, in X-Twilio-Email-Event-Webhook-Signature/-Timestamp,
 *   with a key pair generated at start (`publicKey`, base64 SPKI DER, as SendGrid's settings page shows it);
 * - per-recipient scripts: delivered by default; bounce, blocked, deferred ×k, dropped, open (a person's, or with
 *   `machine: true` a machine's: sg_machine_open), click, spamreport, unsubscribe, group_unsubscribe, group_resubscribe;
 * - suppression lists fed by those events: a later message to a suppressed address is still accepted (202) and then
 *   `dropped` with SendGrid's reason;
 * - a receiver's non-2xx (or no answer) is retried with backoff on a compressed clock, never following redirects,
 *   optionally with new sg_event_ids (as SendGrid does when it resends a batch).
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

export type ScriptStep =
  | { event: 'delivered' }
  | { event: 'bounce'; status?: string; reason?: string }
  | { event: 'blocked'; status?: string; reason?: string }
  | { event: 'deferred'; times?: number; response?: string }
  | { event: 'dropped'; reason?: string }
  /** machine: Apple Mail's privacy proxy loaded the message, not a person (SendGrid's sg_machine_open: true) */
  | { event: 'open'; machine?: boolean }
  | { event: 'click'; url?: string }
  | { event: 'spamreport' }
  | { event: 'unsubscribe' }
  | { event: 'group_unsubscribe'; groupId?: number }
  | { event: 'group_resubscribe'; groupId?: number }
  /** not an event: the steps after it happen `ms` later (the customer opens the mail an hour later, say) */
  | { event: 'later'; ms: number };

export const SCRIPT_EVENTS = [
  'delivered',
  'bounce',
  'blocked',
  'deferred',
  'dropped',
  'open',
  'click',
  'spamreport',
  'unsubscribe',
  'group_unsubscribe',
  'group_resubscribe',
  'later',
] as const;

export interface RecipientScript {
  /** the recipient address (to, cc or bcc), case-insensitive */
  to: string;
  steps: ScriptStep[];
  /** how many messages to this address it is used for (default 1); later ones get the default (delivered) */
  times?: number;
}

export type SigningMode = 'valid' | 'bad-signature' | 'stale-timestamp' | 'unsigned';

export interface WebhookSettings {
  /** where batches are posted; undefined: events are generated and kept, nothing is posted */
  url?: string;
  /** how long events wait to be batched (SendGrid: up to 30 s; default 100 ms) */
  flushMs?: number;
  /** most events per batch (default 100) */
  batchSize?: number;
  /** first retry after this, doubling (default 200 ms; SendGrid: minutes) */
  retryBaseMs?: number;
  /** cap on the retry delay (default 5 s) */
  retryMaxMs?: number;
  /** attempts per batch before it is given up (default 30; SendGrid: 24 hours) */
  maxAttempts?: number;
  /** each retry gives the events new sg_event_ids, as SendGrid does when it resends a batch */
  newEventIdsOnRetry?: boolean;
  signing?: SigningMode;
}

export interface WebhookDelivery {
  at: string;
  attempt: number;
  /** 0: no HTTP answer (connection refused or reset) */
  status: number;
  events: number;
  sgEventIds: string[];
}

type Suppression = 'bounce' | 'spamreport' | 'unsubscribe' | 'invalid';

interface Batch {
  events: Record<string, unknown>[];
  /** each event's key in `outstanding` (parallel to events) */
  keys: number[];
  attempt: number;
}

const DROP_REASON: Record<Suppression, string> = {
  bounce: 'Bounced Address',
  spamreport: 'Spam Reporting Address',
  unsubscribe: 'Unsubscribed Address',
  invalid: 'Invalid',
};

const newId = (): string => crypto.randomBytes(16).toString('base64url');
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** SendGrid's test vectors separate events with CRLF and end with one; so does the fake. */
export function batchBody(events: Record<string, unknown>[]): string {
  return `[${events.map((e) => JSON.stringify(e)).join(',\r\n')}]\r\n`;
}

const LATER = '__later';

/** Cuts a recipient's events at its 'later' markers: the events before the first, then each group with its delay. */
function splitLater(events: Record<string, unknown>[]): { ms: number; events: Record<string, unknown>[] }[] {
  const parts = [{ ms: 0, events: [] as Record<string, unknown>[] }];
  for (const e of events) {
    if (e.event === LATER) parts.push({ ms: Number(e.ms), events: [] });
    else parts[parts.length - 1].events.push(e);
  }
  return parts.filter((p, i) => i === 0 || p.events.length > 0);
}

export class FakeEventPoster {
  readonly publicKey: string;
  private readonly privateKey: crypto.KeyObject;
  private settings: Required<Omit<WebhookSettings, 'url'>> & { url?: string };
  private scripts: { script: RecipientScript; remaining: number }[] = [];
  private suppressed = new Map<string, Set<Suppression>>();
  private groupSuppressed = new Map<string, Set<number>>();
  private queue: { event: Record<string, unknown>; key: number }[] = [];
  /** every event not yet answered 2xx (queued, in flight, waiting for a retry), by key: its recipient, lower-cased */
  private readonly outstanding = new Map<number, string>();
  private keys = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  private deliveries: WebhookDelivery[] = [];
  private generated: Record<string, unknown>[] = [];
  private lastAnswered: Record<string, unknown>[] | undefined;
  private counter = 0;
  private closed = false;

  constructor(settings: WebhookSettings = {}) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = privateKey;
    this.publicKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    this.settings = {
      flushMs: 100,
      batchSize: 100,
      retryBaseMs: 200,
      retryMaxMs: 5000,
      maxAttempts: 30,
      newEventIdsOnRetry: false,
      signing: 'valid',
    };
    this.configure(settings);
  }

  configure(s: WebhookSettings): void {
    this.settings = { ...this.settings, ...s };
  }

  get webhookUrl(): string | undefined {
    return this.settings.url;
  }

  script(s: RecipientScript): void {
    this.scripts.push({ script: { ...s, to: s.to.toLowerCase() }, remaining: s.times ?? 1 });
  }

  suppress(email: string, list: Suppression): void {
    const key = email.toLowerCase();
    if (!this.suppressed.has(key)) this.suppressed.set(key, new Set());
    this.suppressed.get(key)!.add(list);
  }

  /** every event generated so far (posted or not), oldest first */
  events(): Record<string, unknown>[] {
    return this.generated.slice();
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.deliveries.slice();
  }

  /**
   * Events generated but not yet answered 2xx (queued, in flight or waiting for a retry); with `to`, only those for these
   * recipients, so that a test waits for its own events and never for another test's leftovers.
   */
  pending(to?: string[]): number {
    if (!to) return this.outstanding.size;
    const want = new Set(to.map((t) => t.toLowerCase()));
    let n = 0;
    for (const email of this.outstanding.values()) if (want.has(email)) n++;
    return n;
  }

  private track(event: Record<string, unknown>): number {
    const key = ++this.keys;
    this.outstanding.set(key, String(event.email ?? '').toLowerCase());
    return key;
  }

  private settle(batch: Batch): void {
    for (const k of batch.keys) this.outstanding.delete(k);
  }

  /**
   * Posts the last batch that was answered 2xx once more (freshly signed): a replay with the same sg_event_ids, or, with
   * newEventIds, SendGrid resending a batch under new ones. Returns how many events it holds.
   */
  replayLast(o: { newEventIds?: boolean } = {}): number {
    const events = this.lastAnswered;
    if (!events) return 0;
    const again = o.newEventIds ? events.map((e) => ({ ...e, sg_event_id: newId() })) : events;
    this.post({ events: again, keys: again.map((e) => this.track(e)), attempt: 1 });
    return events.length;
  }

  reset(): void {
    this.scripts = [];
    this.suppressed.clear();
    this.groupSuppressed.clear();
    this.queue = [];
    this.deliveries = [];
    this.generated = [];
    this.lastAnswered = undefined;
    this.outstanding.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const r of this.requests) r.destroy();
    this.requests.clear();
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  /** Called for each accepted (non-sandbox) message: its events, for every recipient of every personalization. */
  onAccepted(messageId: string, body: any): void {
    if (!isObj(body) || !Array.isArray(body.personalizations)) return;
    const categories: string[] | undefined = Array.isArray(body.categories) ? body.categories : undefined;
    const groupId: number | undefined = isObj(body.asm) && Number.isInteger(body.asm.group_id) ? body.asm.group_id : undefined;
    const firstLink = /href="(https?:[^"]+)"/.exec(
      (Array.isArray(body.content) ? body.content : []).find((c: any) => c?.type === 'text/html')?.value ?? '',
    )?.[1];
    let n = 0;
    for (const p of body.personalizations) {
      if (!isObj(p)) continue;
      const customArgs = { ...(isObj(body.custom_args) ? body.custom_args : {}), ...(isObj(p.custom_args) ? p.custom_args : {}) };
      for (const list of ['to', 'cc', 'bcc']) {
        for (const r of Array.isArray(p[list]) ? p[list] : []) {
          if (!isObj(r) || typeof r.email !== 'string') continue;
          const base = {
            ...customArgs, // echoed as top-level keys; SendGrid's own fields (below) win over a custom arg of the same name
            email: r.email,
            sg_message_id: `${messageId}.filterdrecv-fake-${++this.counter}-${n++}.0`,
            'smtp-id': `<${messageId}@ismtpd0001p1fake.sendgrid.net>`,
            ...(categories ? { category: categories } : {}),
            ...(groupId !== undefined ? { asm_group_id: groupId } : {}),
          };
          const events = this.recipientEvents(r.email, groupId, firstLink).map((e, i) => ({ ...customArgs, ...base, ...e, i }));
          // A 'later' step holds back the events after it.
          let delay = 0;
          for (const part of splitLater(events)) {
            delay += part.ms;
            if (delay === 0) this.emit(part.events);
            else {
              const t = setTimeout(() => {
                this.timers.delete(t);
                if (!this.closed) this.emit(part.events);
              }, delay);
              this.timers.add(t);
            }
          }
        }
      }
    }
  }

  private recipientEvents(email: string, groupId: number | undefined, firstLink: string | undefined): Record<string, unknown>[] {
    const key = email.toLowerCase();
    const lists = this.suppressed.get(key);
    const suppression =
      (['invalid', 'bounce', 'spamreport', 'unsubscribe'] as const).find((l) => lists?.has(l)) ??
      (groupId !== undefined && this.groupSuppressed.get(key)?.has(groupId) ? 'unsubscribe' : undefined);
    if (suppression) return [{ event: 'dropped', reason: DROP_REASON[suppression], status: '5.0.0' }];

    const entry = this.scripts.find((s) => s.script.to === key);
    if (entry && --entry.remaining <= 0) this.scripts = this.scripts.filter((s) => s !== entry);
    const steps: ScriptStep[] = entry ? entry.script.steps : [{ event: 'delivered' }];
    const out: Record<string, unknown>[] = [{ event: 'processed' }];
    const agent = { useragent: 'Mozilla/5.0 (fake mail client)', ip: '127.0.0.1' };
    for (const s of steps) {
      switch (s.event) {
        case 'later':
          out.push({ event: LATER, ms: s.ms });
          break;
        case 'delivered':
          out.push({ event: 'delivered', response: '250 2.0.0 OK', tls: 1, ip: '127.0.0.1' });
          break;
        case 'bounce':
          this.suppress(key, 'bounce');
          out.push({
            event: 'bounce',
            type: 'bounce',
            status: s.status ?? '5.1.1',
            reason: s.reason ?? '550 5.1.1 The email account that you tried to reach does not exist.',
            tls: 1,
            ip: '127.0.0.1',
          });
          break;
        case 'blocked':
          out.push({
            event: 'bounce',
            type: 'blocked',
            status: s.status ?? '4.7.0',
            reason: s.reason ?? '421 4.7.0 Try again later',
            ip: '127.0.0.1',
          });
          break;
        case 'deferred':
          for (let a = 1; a <= (s.times ?? 1); a++) {
            out.push({ event: 'deferred', response: s.response ?? '451 4.3.0 Temporary failure, try again later', attempt: String(a) });
          }
          break;
        case 'dropped':
          out.push({ event: 'dropped', reason: s.reason ?? 'Bounced Address', status: '5.0.0' });
          break;
        case 'open':
          out.push({ event: 'open', ...agent, sg_machine_open: s.machine === true });
          break;
        case 'click':
          out.push({ event: 'click', ...agent, url: s.url ?? firstLink ?? 'https://example.com/' });
          break;
        case 'spamreport':
          this.suppress(key, 'spamreport');
          out.push({ event: 'spamreport' });
          break;
        case 'unsubscribe':
          this.suppress(key, 'unsubscribe');
          out.push({ event: 'unsubscribe' });
          break;
        case 'group_unsubscribe':
        case 'group_resubscribe': {
          const g = s.groupId ?? groupId;
          if (g === undefined) break; // SendGrid shows no group page for mail sent without asm
          const set = this.groupSuppressed.get(key) ?? new Set<number>();
          if (s.event === 'group_unsubscribe') set.add(g);
          else set.delete(g);
          this.groupSuppressed.set(key, set);
          out.push({ event: s.event, asm_group_id: g, url: 'https://sendgrid.example/asm', ...agent });
          break;
        }
      }
    }
    return out;
  }

  /** Adds the per-event fields (id, time: one second apart, in script order) and queues them for the next batch. */
  private emit(events: Record<string, unknown>[]): void {
    const now = Math.floor(Date.now() / 1000);
    for (const e of events) {
      const { i, ...rest } = e as { i: number } & Record<string, unknown>;
      const full = { ...rest, timestamp: now + i, sg_event_id: newId() };
      this.generated.push(full);
      if (!this.closed && this.settings.url) this.queue.push({ event: full, key: this.track(full) });
    }
    if (this.closed || !this.settings.url) return;
    if (this.queue.length >= this.settings.batchSize) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.settings.flushMs);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.queue.length) {
      const items = this.queue.splice(0, this.settings.batchSize);
      this.post({ events: items.map((i) => i.event), keys: items.map((i) => i.key), attempt: 1 });
    }
  }

  private sign(body: string): Record<string, string> {
    const mode = this.settings.signing;
    if (mode === 'unsigned') return {};
    const ts = String(Math.floor(Date.now() / 1000) - (mode === 'stale-timestamp' ? 3600 : 0));
    let sig = crypto.sign('sha256', Buffer.from(ts + body), this.privateKey).toString('base64');
    if (mode === 'bad-signature') sig = crypto.sign('sha256', Buffer.from(`${ts}[]`), this.privateKey).toString('base64');
    return { 'X-Twilio-Email-Event-Webhook-Signature': sig, 'X-Twilio-Email-Event-Webhook-Timestamp': ts };
  }

  private post(batch: Batch): void {
    const url = this.settings.url;
    // No webhook any more (its receiver closed): the batch is given up, as SendGrid gives up on a deleted webhook.
    if (this.closed || !url) return this.settle(batch);
    const body = batchBody(batch.events);
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    const record = (status: number) => {
      this.deliveries.push({
        at: new Date().toISOString(),
        attempt: batch.attempt,
        status,
        events: batch.events.length,
        sgEventIds: batch.events.map((e) => String(e.sg_event_id)),
      });
      if (status >= 200 && status < 300) {
        this.settle(batch);
        this.lastAnswered = batch.events;
        return;
      }
      this.retry(batch);
    };
    const req = lib.request(
      target,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'SendGrid Event API',
          'Content-Length': Buffer.byteLength(body),
          ...this.sign(body),
        },
        timeout: 10_000,
      },
      (res) => {
        res.resume(); // redirects are answers like any other non-2xx: never followed
        res.on('end', () => {
          this.requests.delete(req);
          record(res.statusCode ?? 0);
        });
      },
    );
    this.requests.add(req);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      if (!this.requests.delete(req)) return; // reset() or close() destroyed it
      record(0);
    });
    req.end(body);
  }

  private retry(batch: Batch): void {
    if (batch.attempt >= this.settings.maxAttempts) return this.settle(batch); // SendGrid gives up after 24 hours
    const delay = Math.min(this.settings.retryBaseMs * 2 ** (batch.attempt - 1), this.settings.retryMaxMs);
    const events = this.settings.newEventIdsOnRetry ? batch.events.map((e) => ({ ...e, sg_event_id: newId() })) : batch.events;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.post({ events, keys: batch.keys, attempt: batch.attempt + 1 });
    }, delay);
    this.timers.add(t);
  }
}
