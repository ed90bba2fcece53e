// The SendGrid mailer: @sendgrid/mail pointed at a base URL (the real API, or the project's fake on loopback), and
// SendGrid's answers turned into a small set of errors the activity can act on. The client itself never retries.
import http from 'node:http';
import https from 'node:https';
import type { MailService as MailServiceType } from '@sendgrid/mail';
import { addressRedactor, redactSendGridRejection } from './redact';

// The packages export singletons; we need our own instances so that the base URL and timeout are ours alone.
const ClientClass: new () => any = require('@sendgrid/client/src/classes/client');
const MailServiceClass: new () => MailServiceType = require('@sendgrid/mail/src/classes/mail-service');

export interface OutgoingEmail {
  to: { email: string; name?: string };
  bcc: string[];
  from: { email: string; name?: string };
  replyTo?: { email: string; name?: string };
  subject: string;
  html: string;
  text?: string;
  categories?: string[];
  /** echoed back in webhook events: lets anyone downstream de-duplicate and correlate */
  customArgs: Record<string, string>;
}

export interface Mailer {
  send(msg: OutgoingEmail): Promise<{ messageId: string }>;
}

/** SendGrid refused the message for good (400, 404, 413, ...): retrying cannot help. */
export class SendGridRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(`SendGrid rejected the message (${status}): ${messages.join('; ')}`);
    this.name = 'SendGridRejectedError';
  }
}

/** 401/403: the key or the sender identity is wrong. An operator must fix it; we keep retrying meanwhile. */
export class SendGridAuthError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(`SendGrid refused our credentials (${status}): ${messages.join('; ')}`);
    this.name = 'SendGridAuthError';
  }
}

/** 429: wait until the rate-limit window resets. */
export class SendGridRateLimitedError extends Error {
  constructor(readonly resetAtMs: number | null) {
    super(`SendGrid rate limit reached${resetAtMs ? `, resets at ${new Date(resetAtMs).toISOString()}` : ''}`);
    this.name = 'SendGridRateLimitedError';
  }
}

/**
 * 5xx, timeouts and connection errors. `maybeAccepted` is true when no answer came back after the request went out:
 * SendGrid may have taken the message, and it has no idempotency key to ask.
 */
export class SendGridUnavailableError extends Error {
  constructor(
    message: string,
    readonly maybeAccepted: boolean,
  ) {
    super(message);
    this.name = 'SendGridUnavailableError';
  }
}

function messagesOf(body: unknown): string[] {
  const errors = (body as { errors?: { message?: string; field?: string | null }[] })?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return [];
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : String(e.message)));
}

export function classifySendGridError(err: any): Error {
  const status: number | undefined = err?.response ? (err.code ?? err.response.statusCode ?? err.response.status) : undefined;
  if (status === undefined) {
    const code = String(err?.code ?? 'unknown');
    // ECONNREFUSED means nothing reached SendGrid; a timeout or reset may come after it took the message.
    const maybeAccepted = code !== 'ECONNREFUSED' && code !== 'ENOTFOUND';
    return new SendGridUnavailableError(`no answer from SendGrid (${code}: ${err?.message ?? err})`, maybeAccepted);
  }
  const body = err.response.body;
  const messages = messagesOf(body);
  if (status === 429) {
    const reset = Number(err.response.headers?.['x-ratelimit-reset']);
    return new SendGridRateLimitedError(Number.isFinite(reset) && reset > 0 ? reset * 1000 : null);
  }
  if (status === 401 || status === 403) return new SendGridAuthError(status, messages.length ? messages : [String(status)]);
  if (status >= 500) return new SendGridUnavailableError(`SendGrid answered ${status}: ${messages.join('; ') || 'server error'}`, false);
  return new SendGridRejectedError(status, messages.length ? messages : [`HTTP ${status}`]);
}

// SendGrid forbids ';' and ',' in recipient names.
function safeName(name: string | undefined): string | undefined {
  const cleaned = name
    ?.replace(/[;,\r\n]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned ? cleaned : undefined;
}

export interface SendGridMailerOptions {
  apiKey: string;
  baseUrl?: string; // default: SendGrid's own API
  timeoutMs: number;
}

export function createSendGridMailer(opts: SendGridMailerOptions): Mailer {
  const client = new ClientClass();
  client.setApiKey(opts.apiKey);
  // setApiKey resets the base URL, so ours must come after it.
  if (opts.baseUrl) client.setDefaultRequest('baseUrl', opts.baseUrl);
  client.setDefaultRequest('timeout', opts.timeoutMs);
  // SendGrid's API never redirects; a redirect means a wrong base URL, and following it would hand our API key to
  // another host. With 0, axios also skips its redirect-following wrapper around every request.
  client.setDefaultRequest('maxRedirects', 0);
  // Keep connections open between sends: a TLS handshake per e-mail costs more than the request. Idle sockets are
  // dropped after 30 s, before a server would close them under us.
  const agent = { keepAlive: true, maxSockets: 50, timeout: 30_000 };
  client.setDefaultRequest('httpAgent', new http.Agent(agent));
  client.setDefaultRequest('httpsAgent', new https.Agent(agent));
  const mail = new MailServiceClass();
  mail.setClient(client);

  return {
    async send(msg) {
      const data: any = {
        to: { email: msg.to.email, name: safeName(msg.to.name) },
        from: { email: msg.from.email, name: safeName(msg.from.name) },
        subject: msg.subject,
        html: msg.html,
        customArgs: msg.customArgs,
      };
      if (msg.bcc.length) data.bcc = msg.bcc;
      if (msg.replyTo) data.replyTo = { email: msg.replyTo.email, name: safeName(msg.replyTo.name) };
      if (msg.text) data.text = msg.text; // the client puts text/plain before text/html, as SendGrid requires
      if (msg.categories?.length) data.categories = msg.categories;
      try {
        const [response] = await mail.send(data);
        const messageId = (response.headers as Record<string, string>)['x-message-id'];
        if (!messageId) throw new SendGridUnavailableError('SendGrid answered without X-Message-Id', true);
        return { messageId };
      } catch (err) {
        if (err instanceof SendGridUnavailableError) throw err;
        // SendGrid's texts quote addresses; ours go into failures and results, so they name roles instead.
        const redact = addressRedactor({ to: msg.to.email, bcc: msg.bcc, from: msg.from.email, replyTo: msg.replyTo?.email });
        throw classifySendGridError(redactSendGridRejection(err, redact));
      }
    },
  };
}
