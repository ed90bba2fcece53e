/**
 * Strict local fake of SendGrid's v3 Mail Send endpoint (`POST /v3/mail/send`).
 *
 * Contract: /work/shared/notes/sendgrid-v3.md §1, §2, §6. It exists so that tests
 * and the local demo exercise the real @sendgrid/mail client against something
 * that fails the way SendGrid fails: every body rule is checked (see
 * ./sendgridValidation.ts), auth and sender identity are enforced, and faults
 * (429 / 5xx / slow / dropped connections / "accepted but the client saw an
 * error" / a duplicate-recipient 400) can be injected to test retry and dedupe logic.
 *
 * Control API (outside /v3 so it can never collide with a real endpoint), for the
 * local demo and for tests that drive the fake from another process:
 *   GET  /__fake/messages  → AcceptedMessage[]
 *   GET  /__fake/requests  → RecordedRequest[]
 *   POST /__fake/reset     → 204, clears recorded data and faults
 *   POST /__fake/faults    → 201, body is a Fault
 *   POST /__fake/scripts   → 201, body is a RecipientScript (the events the next message to that address produces)
 *   GET  /__fake/webhook   → the webhook settings and the public key its batches verify with
 *   POST /__fake/webhook   → 200, body is WebhookSettings (url, signing, newEventIdsOnRetry, ...)
 *   GET  /__fake/webhook-deliveries → every POST of a batch and its answer
 *   GET  /__fake/events    → every event generated
 *   POST /__fake/fault-rates → 204, body is FaultRates (`{"rates":{}}` stops them)
 * and SendGrid's own GET /v3/user/webhooks/event/settings/signed → { public_key }.
 * Event Webhook behaviour: ./sendgridFakeEvents.ts.
 */
import * as http from 'node:http';
import * as crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  validateMailSend,
  isSandbox,
  firstRecipient,
  firstRecipientAsSent,
  fromEmail,
  duplicateRecipientError,
  type ApiError,
} from './sendgridValidation';
import { loadConfig } from '../src/config';
import { FakeEventPoster, SCRIPT_EVENTS, type RecipientScript, type WebhookDelivery, type WebhookSettings } from './sendgridFakeEvents';
import { seededRandom } from './seededRandom';

export interface FakeOptions {
  /** 0 = random free port. */
  port?: number;
  /** Default 127.0.0.1; only loopback addresses are accepted. */
  host?: string;
  /** Keys with the mail.send scope. Default ['SG.fake-key']. */
  apiKeys?: string[];
  /** Known keys that lack mail.send (→ 403 access forbidden). */
  keysWithoutSendScope?: string[];
  /** If set, a from.email not in the list (case-insensitive) gets 403 Sender Identity; if unset, all senders are verified. */
  verifiedSenders?: string[];
  /** Cap on merged custom_args size per personalization. Default 10000 (docs also say 50000). */
  customArgsMaxBytes?: number;
  /** where and how accepted messages' events are posted (no url: events are generated, not posted) */
  webhook?: WebhookSettings;
}

/**
 * `400-duplicate` answers SendGrid's duplicate-recipient 400 for the request's first recipient (as if it were repeated
 * in the personalization's bcc): a refusal that quotes a customer's address, which our code cannot otherwise provoke
 * since it drops a BCC equal to the recipient.
 */
export type FaultKind = '429' | '500' | '503' | 'slow' | 'drop' | 'accept-then-500' | 'accept-then-slow' | '400-duplicate';

export interface Fault {
  kind: FaultKind;
  /** only requests whose first personalization's to[0].email equals this (case-insensitive) */
  to?: string;
  /** how many matching requests it hits (default 1) */
  times?: number;
  /** for 'slow'/'accept-then-slow': ms to wait before answering (default 5000) */
  delayMs?: number;
  /** for '429': seconds until X-RateLimit-Reset (default 1) */
  resetInSeconds?: number;
}

/**
 * Faults drawn at random instead of queued one by one: each mail-send request that no queued fault hits meets kind K
 * with probability rates[K]. The draws come from a seeded generator, so the same requests in the same order meet the
 * same faults. For load and chaos runs, where queueing thousands of faults would be clumsy.
 */
export interface FaultRates {
  /** share of requests (0-1) per kind; the shares add up to at most 1 */
  rates: Partial<Record<FaultKind, number>>;
  /** default 1 */
  seed?: number;
  /** for 'slow'/'accept-then-slow' (default 5000) */
  delayMs?: number;
  /** for '429' (default 1) */
  resetInSeconds?: number;
}

export interface AcceptedMessage {
  messageId: string;
  receivedAt: string;
  apiKey: string;
  /** the parsed JSON request exactly as received */
  body: any;
}

export interface RecordedRequest {
  at: string;
  /** HTTP status answered; 0 when no answer was sent (dropped, or the client left during a delay). */
  status: number;
  body: unknown;
  errors?: unknown;
  fault?: FaultKind;
}

export interface SendGridFake {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  accepted(): AcceptedMessage[];
  requests(): RecordedRequest[];
  injectFault(f: Fault): void;
  /** draws faults at these rates from now on (null stops it); throws when the shares add up to more than 1 */
  setFaultRates(r: FaultRates | null): void;
  /** faults still queued (a fault is consumed when the request it hits arrives) */
  pendingFaults(): Fault[];
  /** clears recorded data and faults, scripts, suppressions and queued events (the webhook settings stay) */
  reset(): void;
  close(): Promise<void>;
  /** the Event Webhook side */
  webhook: {
    /** base64 SPKI DER of the P-256 key batches are signed with (generated at start) */
    publicKey: string;
    configure(s: WebhookSettings): void;
    /** the events of the next message(s) to an address */
    script(s: RecipientScript): void;
    events(): Record<string, unknown>[];
    deliveries(): WebhookDelivery[];
    /** events not yet answered 2xx (with `to`: only those for these recipients) */
    pending(to?: string[]): number;
    /** posts the last batch answered 2xx again (same sg_event_ids, or new ones as SendGrid's resends have) */
    replayLast(o?: { newEventIds?: boolean }): number;
  };
}

const MAIL_SEND_PATH = '/v3/mail/send';
const MAX_BODY_BYTES = 30 * 1024 * 1024; // LIMITS: total message under 30 MB
const DEFAULT_DELAY_MS = 5000;
const GATEWAY_500_PAGE =
  '<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1></body></html>';
const RATE_LIMIT = 600;
const SENDER_IDENTITY_MESSAGE =
  'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements';

const FAULT_KINDS = ['429', '500', '503', 'slow', 'drop', 'accept-then-500', 'accept-then-slow', '400-duplicate'] as const;

const FaultSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    to: z.string().optional(),
    times: z.number().int().positive().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    resetInSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();

const FaultRatesSchema = z
  .object({
    rates: z.partialRecord(z.enum(FAULT_KINDS), z.number().min(0).max(1)),
    seed: z.number().int().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    resetInSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();

/** The one check of a FaultRates that the schema cannot express, as its message (null when fine). */
function ratesProblem(r: FaultRates): string | null {
  const total = Object.values(r.rates).reduce((t, x) => t + (x ?? 0), 0);
  return total > 1 + 1e-9 ? `rates: the shares add up to ${total}; they must add up to at most 1` : null;
}

const SIGNED_SETTINGS_PATH = '/v3/user/webhooks/event/settings/signed';

const ScriptSchema = z
  .object({
    to: z.string().min(3),
    times: z.number().int().positive().optional(),
    steps: z.array(
      z
        .object({
          event: z.enum(SCRIPT_EVENTS),
          status: z.string().optional(),
          reason: z.string().optional(),
          response: z.string().optional(),
          times: z.number().int().positive().max(100).optional(),
          url: z.string().optional(),
          groupId: z.number().int().optional(),
          ms: z.number().int().nonnegative().max(3_600_000).optional(),
          machine: z.boolean().optional(),
        })
        .strict()
        .refine((step) => (step.event === 'later') === (step.ms !== undefined), {
          message: "ms is given with 'later' steps only, and they need it",
        })
        .refine((step) => step.machine === undefined || step.event === 'open', {
          message: "machine is given with 'open' steps only",
          path: ['machine'],
        }),
    ),
  })
  .strict();

const WebhookSchema = z
  .object({
    url: z.url().optional(),
    flushMs: z.number().int().nonnegative().optional(),
    batchSize: z.number().int().positive().optional(),
    retryBaseMs: z.number().int().nonnegative().optional(),
    retryMaxMs: z.number().int().nonnegative().optional(),
    maxAttempts: z.number().int().positive().optional(),
    newEventIdsOnRetry: z.boolean().optional(),
    signing: z.enum(['valid', 'bad-signature', 'stale-timestamp', 'unsigned']).optional(),
  })
  .strict();

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** Auth/server errors carry field and help null (§2). */
const plainError = (message: string): ApiError => ({ message, field: null, help: null });

/** 22-char URL-safe base64, the shape of real X-Message-Id values. */
const newMessageId = (): string => crypto.randomBytes(16).toString('base64url');

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export async function startSendGridFake(opts: FakeOptions = {}): Promise<SendGridFake> {
  const host = opts.host ?? '127.0.0.1';
  // The fake accepts any well-formed mail with a well-known key; never expose it.
  if (!isLoopback(host)) throw new Error(`SendGrid fake only listens on loopback, not ${host}`);
  const apiKeys = new Set(opts.apiKeys ?? ['SG.fake-key']);
  const keysWithoutSendScope = new Set(opts.keysWithoutSendScope ?? []);
  const verifiedSenders = opts.verifiedSenders ? new Set(opts.verifiedSenders.map((s) => s.toLowerCase())) : null;
  const customArgsMaxBytes = opts.customArgsMaxBytes ?? 10000;
  const poster = new FakeEventPoster(opts.webhook);

  let accepted: AcceptedMessage[] = [];
  let requests: RecordedRequest[] = [];
  let faults: QueuedFault[] = [];
  let drawn: { rates: [FaultKind, number][]; random: () => number; template: Omit<Fault, 'kind'> } | null = null;
  const timers = new Set<NodeJS.Timeout>();

  const record = (r: Omit<RecordedRequest, 'at'>): void => {
    requests.push({ at: new Date().toISOString(), ...r });
  };

  const accept = (apiKey: string, body: unknown): AcceptedMessage => {
    const m: AcceptedMessage = { messageId: newMessageId(), receivedAt: new Date().toISOString(), apiKey, body };
    accepted.push(m);
    poster.onAccepted(m.messageId, body);
    return m;
  };

  /** First queued fault matching this body, without consuming it; else one drawn at the set rates, if any. */
  const findFault = (body: unknown): QueuedFault | undefined => {
    const to = firstRecipient(body);
    return faults.find((q) => q.fault.to === undefined || q.fault.to.toLowerCase() === to) ?? drawFault();
  };
  /** A one-off fault (not in the queue, so consuming it changes nothing), or none, by the rates' draw. */
  const drawFault = (): QueuedFault | undefined => {
    if (!drawn) return undefined;
    let x = drawn.random();
    for (const [kind, rate] of drawn.rates) {
      if (x < rate) return { fault: { kind, ...drawn.template }, remaining: 1 };
      x -= rate;
    }
    return undefined;
  };
  const setFaultRates = (r: FaultRates | null): void => {
    const problem = r && ratesProblem(r);
    if (problem) throw new Error(problem);
    drawn = r && {
      rates: Object.entries(r.rates).filter(([, rate]) => (rate ?? 0) > 0) as [FaultKind, number][],
      random: seededRandom(r.seed ?? 1),
      template: { delayMs: r.delayMs, resetInSeconds: r.resetInSeconds },
    };
  };
  const consume = (q: QueuedFault): void => {
    q.remaining -= 1;
    if (q.remaining <= 0) faults = faults.filter((x) => x !== q);
  };

  const injectFault = (f: Fault): void => {
    faults.push({ fault: { ...f }, remaining: f.times ?? 1 });
  };

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function sendJson(res: http.ServerResponse, status: number, payload: unknown, headers: http.OutgoingHttpHeaders = {}): void {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  /** Answers with `{"errors":[...]}` and records the request. */
  function fail(
    res: http.ServerResponse,
    status: number,
    errors: ApiError[] | object[],
    body: unknown,
    fault?: FaultKind,
    headers?: http.OutgoingHttpHeaders,
  ): void {
    sendJson(res, status, { errors }, headers);
    record({ status, body, errors, ...(fault ? { fault } : {}) });
  }

  function accepted202(res: http.ServerResponse, messageId: string): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(202, { 'X-Message-Id': messageId, 'Content-Length': 0 });
    res.end();
  }

  /** Reads the whole body, keeping at most MAX_BODY_BYTES + 1 bytes (enough to know it was too big). */
  function readBody(req: http.IncomingMessage): Promise<{ buf: Buffer; tooLarge: boolean }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c); // past the cap we drain without storing
      });
      req.on('end', () => resolve({ buf: Buffer.concat(chunks), tooLarge: size > MAX_BODY_BYTES }));
      req.on('error', reject);
    });
  }

  async function handleMailSend(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { buf, tooLarge } = await readBody(req);

    // 1. Auth (header only). Errors use field/help null.
    const auth = req.headers.authorization;
    if (auth === undefined || auth === '') return fail(res, 401, [plainError('authorization required')], null);
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    const key = m ? m[1] : '';
    if (keysWithoutSendScope.has(key)) return fail(res, 403, [plainError('access forbidden')], null);
    if (!apiKeys.has(key)) {
      return fail(res, 401, [plainError('The provided authorization grant is invalid, expired, or revoked')], null);
    }

    // 2. Size, encoding and JSON. The oversize body is not kept in requests().
    if (tooLarge) return fail(res, 413, [plainError('content too large')], null);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return fail(res, 415, [plainError('Invalid UTF8 in request')], null);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail(res, 400, [plainError('Bad Request')], text);
    }

    // 3. Faults. Checked after auth and JSON parsing and BEFORE validation, so an
    // injected 429/5xx/slow/drop hits even a request that would have been a 400,
    // just as an overloaded SendGrid would. The accept-* kinds are the exception:
    // they model "SendGrid took the mail", so they validate first and only fire
    // (and are only consumed) when the request would have been accepted.
    const queued = findFault(body);
    const kind = queued?.fault.kind;
    if (queued && kind !== 'accept-then-500' && kind !== 'accept-then-slow') {
      consume(queued);
      const f = queued.fault;
      switch (f.kind) {
        case '429': {
          // SendGrid documents X-RateLimit-* with Reset in epoch seconds and no Retry-After.
          const reset = Math.floor(Date.now() / 1000) + (f.resetInSeconds ?? 1);
          sendJson(
            res,
            429,
            { errors: [{ field: null, message: 'too many requests' }] },
            {
              'X-RateLimit-Limit': String(RATE_LIMIT),
              'X-RateLimit-Remaining': '0',
              'X-RateLimit-Reset': String(reset),
            },
          );
          return record({ status: 429, body, errors: [{ field: null, message: 'too many requests' }], fault: '429' });
        }
        case '500':
          return fail(res, 500, [plainError('internal server error')], body, '500');
        case '503':
          return fail(res, 503, [plainError('The SendGrid v3 Web API is not available.')], body, '503');
        case '400-duplicate':
          return fail(res, 400, [duplicateRecipientError(firstRecipientAsSent(body) ?? '', 0, 'bcc')], body, '400-duplicate');
        case 'drop':
          // No answer at all: the client sees a connection reset. Recorded with
          // status 0 so retry tests can count attempts; nothing is accepted.
          record({ status: 0, body, fault: 'drop' });
          req.socket.destroy();
          return;
        case 'slow':
          // "Slow to answer": the request arrived in full, so after the delay it is processed (validated, and accepted
          // if valid) whether or not the client is still there, as SendGrid keeps any request that reached it. A client
          // that gave up (timeout, abort) meanwhile never hears the answer. Contrast accept-then-slow, which records the
          // message on arrival.
          await delay(f.delayMs ?? DEFAULT_DELAY_MS);
          return processValid(res, key, body, undefined, 'slow');
      }
    }
    return processValid(res, key, body, queued);
  }

  /** Normal processing: validation → sender identity → sandbox 200 / accepted 202 (or an accept-* fault). */
  async function processValid(
    res: http.ServerResponse,
    key: string,
    body: unknown,
    acceptFault: QueuedFault | undefined,
    via?: FaultKind,
  ): Promise<void> {
    const errors = validateMailSend(body, { customArgsMaxBytes, nowSeconds: Math.floor(Date.now() / 1000) });
    if (errors.length > 0) return fail(res, 400, errors, body, via);

    const from = fromEmail(body);
    if (verifiedSenders && (from === null || !verifiedSenders.has(from.toLowerCase()))) {
      return fail(res, 403, [{ message: SENDER_IDENTITY_MESSAGE, field: 'from', help: null }], body, via);
    }

    const tag = via ? { fault: via } : {};
    if (isSandbox(body)) {
      // Sandbox: valid but not queued; nothing accepted. Faults of the accept-* kinds
      // are left queued because nothing was taken.
      if (!res.destroyed) {
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
      }
      return record({ status: 200, body, ...tag });
    }

    if (acceptFault) {
      consume(acceptFault);
      const msg = accept(key, body);
      if (acceptFault.fault.kind === 'accept-then-500') {
        // A gateway in front of SendGrid failed after SendGrid took the message: its page is not SendGrid's JSON.
        res.writeHead(500, { 'Content-Type': 'text/html' });
        res.end(GATEWAY_500_PAGE);
        return record({ status: 500, body, fault: 'accept-then-500' });
      }
      // accept-then-slow: recorded as accepted on arrival, 202 only after the delay
      // (if the client is still there), so a client timeout here means a duplicate on retry.
      await delay(acceptFault.fault.delayMs ?? DEFAULT_DELAY_MS);
      const gone = res.destroyed || res.socket === null || res.socket.destroyed;
      accepted202(res, msg.messageId);
      return record({ status: gone ? 0 : 202, body, fault: 'accept-then-slow' });
    }

    const msg = accept(key, body);
    // A client that left during a slow answer never hears it; the message is SendGrid's all the same.
    const gone = res.destroyed || res.socket === null || res.socket.destroyed;
    accepted202(res, msg.messageId);
    record({ status: gone ? 0 : 202, body, ...tag });
  }

  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const route = `${req.method} ${path}`;
    if (route === 'GET /__fake/messages') return sendJson(res, 200, accepted);
    if (route === 'GET /__fake/requests') return sendJson(res, 200, requests);
    if (route === 'POST /__fake/reset') {
      await readBody(req);
      reset();
      res.writeHead(204);
      res.end();
      return;
    }
    if (route === 'POST /__fake/faults') {
      const { buf } = await readBody(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(buf.toString('utf8'));
      } catch {
        return sendJson(res, 400, { errors: [plainError('Bad Request')] });
      }
      const r = FaultSchema.safeParse(parsed);
      if (!r.success) {
        return sendJson(res, 400, {
          errors: r.error.issues.map((i) => ({ message: i.message, field: i.path.join('.') || null, help: null })),
        });
      }
      injectFault(r.data);
      return sendJson(res, 201, { ok: true, queued: faults.length });
    }
    if (route === 'GET /__fake/webhook') return sendJson(res, 200, { url: poster.webhookUrl ?? null, publicKey: poster.publicKey });
    if (route === 'GET /__fake/webhook-deliveries') return sendJson(res, 200, poster.webhookDeliveries());
    if (route === 'GET /__fake/events') return sendJson(res, 200, poster.events());
    if (route === 'POST /__fake/webhook' || route === 'POST /__fake/scripts') {
      const { buf } = await readBody(req);
      const r = (route === 'POST /__fake/webhook' ? WebhookSchema : ScriptSchema).safeParse(parseJson(buf));
      if (!r.success) {
        return sendJson(res, 400, {
          errors: r.error.issues.map((i) => ({ message: i.message, field: i.path.join('.') || null, help: null })),
        });
      }
      if (route === 'POST /__fake/webhook') {
        poster.configure(r.data as WebhookSettings);
        return sendJson(res, 200, { url: poster.webhookUrl ?? null, publicKey: poster.publicKey });
      }
      poster.script(r.data as RecipientScript);
      return sendJson(res, 201, { ok: true });
    }
    if (route === 'POST /__fake/fault-rates') {
      const { buf } = await readBody(req);
      const r = FaultRatesSchema.safeParse(parseJson(buf));
      const problem = r.success ? ratesProblem(r.data) : null;
      if (!r.success || problem) {
        const issues = r.success
          ? [{ message: problem!, field: 'rates', help: null }]
          : r.error.issues.map((i) => ({ message: i.message, field: i.path.join('.') || null, help: null }));
        return sendJson(res, 400, { errors: issues });
      }
      setFaultRates(r.data);
      res.writeHead(204);
      res.end();
      return;
    }
    const known = [
      '/__fake/messages',
      '/__fake/requests',
      '/__fake/reset',
      '/__fake/faults',
      '/__fake/webhook',
      '/__fake/webhook-deliveries',
      '/__fake/events',
      '/__fake/scripts',
      '/__fake/fault-rates',
    ].includes(path);
    return sendJson(res, known ? 405 : 404, { errors: [plainError(known ? 'method not allowed' : 'not found')] });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path.startsWith('/__fake/')) return handleControl(req, res, path);
    if (path === SIGNED_SETTINGS_PATH && req.method === 'GET') {
      req.resume();
      const key = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!key || !apiKeys.has(key)) return fail(res, 401, [plainError('authorization required')], null);
      return sendJson(res, 200, { id: 'fake', public_key: poster.publicKey });
    }
    if (path === MAIL_SEND_PATH) {
      if (req.method !== 'POST') {
        req.resume();
        return fail(res, 405, [plainError('method not allowed')], null);
      }
      return handleMailSend(req, res);
    }
    req.resume();
    return fail(res, 404, [plainError('not found')], null);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // A bug in the fake must surface loudly, not look like a SendGrid outage.
      console.error('[sendgrid-fake] handler error', err);
      if (!res.headersSent) sendJson(res, 500, { errors: [plainError(`fake internal error: ${String(err)}`)] });
      else res.destroy();
    });
  });
  // Node closes idle keep-alive sockets after 5 s, which races with a client reusing one ("socket hang up"). API
  // front ends keep them about a minute; so does the fake, so that the mailer's keep-alive pool behaves as against
  // SendGrid.
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  function reset(): void {
    accepted = [];
    requests = [];
    faults = [];
    poster.reset();
    drawn = null;
  }

  return {
    url: `http://${urlHost}:${port}`,
    port,
    // Copies, so callers cannot mutate the fake's state by accident.
    accepted: () => accepted.slice(),
    requests: () => requests.slice(),
    injectFault,
    setFaultRates,
    pendingFaults: () => faults.map((q) => ({ ...q.fault })),
    reset,
    webhook: {
      publicKey: poster.publicKey,
      configure: (s) => poster.configure(s),
      script: (s) => poster.script(s),
      events: () => poster.events(),
      deliveries: () => poster.webhookDeliveries(),
      pending: (to?: string[]) => poster.pending(to),
      replayLast: (o) => poster.replayLast(o),
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        poster.close();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive and delayed (slow) connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

// CLI: `node dist/dev/sendgridFake.js` (SENDGRID_FAKE_PORT, default 3030) for the local demo.
if (require.main === module) {
  const config = loadConfig();
  startSendGridFake({ port: config.sendgridFakePort, webhook: { url: config.sendgridFakeWebhookUrl } })
    .then((fake) => {
      console.log(`SendGrid fake listening on ${fake.url} (API key: SG.fake-key; control API under ${fake.url}/__fake/)`);
      console.log(
        `Event webhook: ${config.sendgridFakeWebhookUrl ?? 'none (SENDGRID_FAKE_WEBHOOK_URL)'}; public key ${fake.webhook.publicKey}`,
      );
      const stop = (): void => {
        fake.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
