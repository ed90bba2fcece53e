// POST /sendgrid/events: SendGrid's Signed Event Webhook. The signature (ECDSA P-256 over timestamp + raw body) is checked
// on the raw bytes before anything is parsed; only then are the events stored and applied, in one transaction, and the
// answer is 2xx only after the commit (SendGrid retries anything else for 24 hours).
import { createPublicKey } from 'node:crypto';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConfigError } from '../config';
import { applyDeliveryEvents, EVENT_TYPES, type DeliveryEvent, type EventType } from '../db/deliveryEvents';
import type { Db } from '../db/knex';
import type { RunNotifier } from './runSignals';

export const WEBHOOK_PATH = '/sendgrid/events';

export interface WebhookOptions {
  db: Db;
  /** base64 SPKI DER or PEM; undefined: the endpoint answers 503 (local use without a key) */
  publicKey: string | undefined;
  maxBytes: number;
  /** how far the signed timestamp may be from now, either way */
  maxAgeSeconds: number;
  log: (line: string) => void;
  /** tells runs whose Check e-mail status waits on an e-mail an event was stored for; absent: nobody is told */
  notifier?: RunNotifier;
}

type Verifier = (body: Buffer, signature: string, timestamp: string) => boolean;

/** Checks the key once, at start: a wrong key is a configuration mistake, not a stream of 403s. */
export function makeVerifier(publicKey: string): Verifier {
  const pem = publicKey.includes('BEGIN PUBLIC KEY')
    ? publicKey
    : `-----BEGIN PUBLIC KEY-----\n${publicKey.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----\n`;
  let curve: string | undefined;
  try {
    curve = createPublicKey(pem).asymmetricKeyDetails?.namedCurve;
  } catch {
    curve = undefined;
  }
  if (curve !== 'prime256v1') {
    throw new ConfigError('SENDGRID_WEBHOOK_PUBLIC_KEY is not valid: expected an ECDSA P-256 public key (base64 SPKI DER or PEM)');
  }
  const ew = new EventWebhook();
  const key = ew.convertPublicKeyToECDSA(pem);
  return (body, signature, timestamp) => {
    try {
      return ew.verifySignature(key, body, signature, timestamp);
    } catch {
      return false; // the library throws on a malformed signature
    }
  };
}

const eventSchema = z.object({
  sg_event_id: z.string().min(1).max(200),
  event: z.enum(EVENT_TYPES),
  email: z.string().min(3).max(320),
  timestamp: z.number().int().nonnegative(),
  sg_message_id: z.string().max(400).optional(),
  send_key: z.string().max(1000).optional(),
  url: z.string().max(8000).optional(),
  type: z.string().max(40).optional(),
  status: z.string().max(40).optional(),
  reason: z.string().max(8000).optional(),
  response: z.string().max(8000).optional(),
  attempt: z.union([z.string(), z.number()]).optional(),
  asm_group_id: z.number().int().optional(),
  sg_machine_open: z.boolean().optional(),
});

export interface Ignored {
  index: number;
  problem: string;
}

/**
 * The batch's events. Events of a type we do not know (SendGrid adds some) or missing a field we need are left out and
 * named in the answer; they change nothing. A body that is not a JSON array of objects is refused whole.
 */
export function parseEvents(json: unknown): { events: DeliveryEvent[]; ignored: Ignored[] } | { error: string } {
  if (!Array.isArray(json)) return { error: 'the body must be a JSON array of events' };
  const events: DeliveryEvent[] = [];
  const ignored: Ignored[] = [];
  json.forEach((raw: unknown, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ignored.push({ index, problem: 'not an object' });
    const type = (raw as { event?: unknown }).event;
    if (typeof type === 'string' && !(EVENT_TYPES as readonly string[]).includes(type))
      return ignored.push({ index, problem: `event type "${type.slice(0, 40)}" is not handled` });
    const r = eventSchema.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0];
      return ignored.push({ index, problem: `${i.path.join('.') || 'event'}: ${i.message}` });
    }
    const e = r.data;
    events.push({
      sgEventId: e.sg_event_id,
      event: e.event as EventType,
      timestamp: e.timestamp,
      email: e.email,
      sgMessageId: e.sg_message_id,
      sendKey: e.send_key,
      url: e.url,
      type: e.type,
      status: e.status,
      reason: e.reason,
      response: e.response,
      attempt: e.attempt === undefined ? undefined : String(e.attempt),
      asmGroupId: e.asm_group_id,
      // Absent on older events (and on every event but open): a person's open, as it always counted.
      machineOpen: e.sg_machine_open === true,
      raw: raw as Record<string, unknown>,
    });
  });
  return { events, ignored };
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name.toLowerCase()];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export async function registerWebhook(app: FastifyInstance, o: WebhookOptions): Promise<void> {
  const verify = o.publicKey ? makeVerifier(o.publicKey) : undefined;
  await app.register(async (scope) => {
    // The raw bytes are what SendGrid signed: no JSON parsing before the check, whatever the content type says.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.maxBytes }, (_req, body, done) => done(null, body));
    scope.post(WEBHOOK_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
      if (!verify) return reply.code(503).send({ error: 'no SENDGRID_WEBHOOK_PUBLIC_KEY configured: events are not accepted' });
      const signature = header(req, EventWebhookHeader.SIGNATURE());
      const timestamp = header(req, EventWebhookHeader.TIMESTAMP());
      if (!signature || !timestamp) {
        return reply.code(401).send({ error: `missing ${EventWebhookHeader.SIGNATURE()} or ${EventWebhookHeader.TIMESTAMP()}` });
      }
      if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > o.maxAgeSeconds) {
        return reply.code(403).send({ error: `${EventWebhookHeader.TIMESTAMP()} is not within ${o.maxAgeSeconds} s of now` });
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verify(body, signature, timestamp)) return reply.code(403).send({ error: 'the signature does not match the body' });

      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'the body is not JSON' });
      }
      const parsed = parseEvents(json);
      if ('error' in parsed) return reply.code(400).send({ error: parsed.error });
      let applied;
      try {
        applied = await applyDeliveryEvents(o.db, parsed.events);
      } catch (err) {
        // Postgres away, a deadlock, a bug: nothing was committed; SendGrid sends the batch again.
        o.log(`webhook: batch of ${parsed.events.length} events not stored (${(err as Error).message.split('\n')[0]}); answering 503`);
        return reply.code(503).send({ error: 'events not stored; try again' });
      }
      for (const i of parsed.ignored) o.log(`webhook: event ${i.index} ignored: ${i.problem}`);
      o.notifier?.notify(applied.flatMap((a) => (a.notify ? [a.notify] : [])));
      const stored = applied.filter((a) => a.stored).length;
      return reply.code(200).send({ stored, duplicates: applied.length - stored, ignored: parsed.ignored });
    });
  });
}
