// The SendGrid mailer: @sendgrid/mail pointed at a base URL (the real API, or the project's fake on loopback), and
// SendGrid's answers turned into a small set of errors the activity can act on. The client itself never retries.
import http from 'node:http';
import https from 'node:https';
import type { MailService as MailServiceType } from '@sendgrid/mail';
import { addressRedactor, redactSendGridRejection } from './redact';

// The packages export singletons; we need our own instances so that the base URL and timeout are ours alone.
const ClientClass: new () => any = require('@sendgrid/client/src/classes/client');
const MailServiceClass: new () => MailServiceType = require('@sendgrid/mail/src/classes/mail-service');
// The Mail class that MailService builds request bodies with: @sendgrid/helpers as @sendgrid/mail resolves it.
const MailClass: { create(data: unknown): { toJSON(): Record<string, unknown> } } = require(
  require.resolve('@sendgrid/helpers/classes/mail', { paths: [require.resolve('@sendgrid/mail')] }),
);

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
  /** message headers, e.g. List-Unsubscribe and List-Unsubscribe-Post */
  headers?: Record<string, string>;
  /** the SendGrid suppression group (asm.group_id): SendGrid honours that group's unsubscribes */
  asmGroupId?: number;
}

export interface Mailer {
  /**
   * Sends one message. There is no way to abort it: SendGrid keeps a request that reached it whatever the client does
   * next, so the caller waits for the answer (the client's timeout bounds it) and records what it says.
   */
  send(msg: OutgoingEmail): Promise<{ messageId: string }>;
}

/** SendGrid refused this message for good (400, 413, 415): retrying the same message cannot help. Not accepted. */
export class SendGridRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(`SendGrid rejected the message (${status}): ${messages.join('; ')}`);
    this.name = 'SendGridRejectedError';
  }
}

/** 401/403: the key or the sender identity is wrong. An operator must fix it; we keep retrying meanwhile. Not accepted. */
export class SendGridAuthError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(`SendGrid refused our credentials (${status}): ${messages.join('; ')}`);
    this.name = 'SendGridAuthError';
  }
}

/**
 * Any other answer that is not SendGrid's (a 404 or 405 from a wrong SENDGRID_BASE_URL, a redirect, an unexpected status):
 * our configuration is wrong, not the message. Retried like 401/403 until an operator fixes it. Not accepted.
 */
export class SendGridMisconfiguredError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`SendGrid endpoint answered ${status} (${detail}): check SENDGRID_BASE_URL`);
    this.name = 'SendGridMisconfiguredError';
  }
}

/** 429: wait until the rate-limit window resets. Not accepted. */
export class SendGridRateLimitedError extends Error {
  constructor(readonly resetAtMs: number | null) {
    super(`SendGrid rate limit reached${resetAtMs ? `, resets at ${new Date(resetAtMs).toISOString()}` : ''}`);
    this.name = 'SendGridRateLimitedError';
  }
}

/**
 * 5xx, timeouts and connection errors. `maybeAccepted` is false only when SendGrid certainly did not take the message:
 * the connection was refused or the host not found (nothing reached it), or the 5xx carries SendGrid's own error body
 * (SendGrid answered, and it did not accept). A gateway's 5xx, a timeout or a reset after the request was written may
 * all follow an accepted message, and SendGrid has no idempotency key to ask.
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

// Errors that mean nothing reached SendGrid.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

/** SendGrid's own error body: `{"errors":[{"message": ...}, ...]}`. A gateway's page or an empty body is not. */
function isSendGridErrorBody(body: unknown): boolean {
  const errors = (body as { errors?: unknown })?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof (e as { message?: unknown })?.message === 'string');
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
    return new SendGridUnavailableError(`no answer from SendGrid (${code}: ${err?.message ?? err})`, !NOT_SENT_CODES.has(code));
  }
  const body = err.response.body;
  const messages = messagesOf(body);
  if (status === 429) {
    const reset = Number(err.response.headers?.['x-ratelimit-reset']);
    return new SendGridRateLimitedError(Number.isFinite(reset) && reset > 0 ? reset * 1000 : null);
  }
  if (status === 401 || status === 403) return new SendGridAuthError(status, messages.length ? messages : [String(status)]);
  if (status >= 500) {
    const own = isSendGridErrorBody(body);
    return new SendGridUnavailableError(
      `SendGrid answered ${status}: ${own ? messages.join('; ') : "not SendGrid's own answer (a gateway?)"}`,
      !own,
    );
  }
  // Only these describe the message itself; SendGrid's own body says what is wrong with it.
  if ((status === 400 || status === 413 || status === 415) && isSendGridErrorBody(body)) return new SendGridRejectedError(status, messages);
  return new SendGridMisconfiguredError(status, messages.join('; ') || 'not a SendGrid API answer');
}

// SendGrid forbids ';' and ',' in recipient names.
function safeName(name: string | undefined): string | undefined {
  const cleaned = name
    ?.replace(/[;,\r\n]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned ? cleaned : undefined;
}

/** What the mailer hands @sendgrid/mail for a message. */
function sendGridData(msg: OutgoingEmail): any {
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
  if (msg.headers) data.headers = msg.headers;
  if (msg.asmGroupId !== undefined) data.asm = { groupId: msg.asmGroupId };
  return data;
}

/**
 * The JSON body the mailer posts to SendGrid's /v3/mail/send for this message, built by @sendgrid/mail's own Mail class
 * as its send() builds it (`campaign-runner preview --json` shows it). Sends nothing.
 */
export function sendGridRequestBody(msg: OutgoingEmail): Record<string, unknown> {
  const data = { ...sendGridData(msg), isMultiple: false, substitutionWrappers: ['{{', '}}'] };
  return MailClass.create(data).toJSON();
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
  // another host. With 0, axios also skips its redirect-following wrapper around every request. A 3xx then counts as
  // an answer to classify (not a success), like any other status that is not 2xx.
  client.setDefaultRequest('maxRedirects', 0);
  client.setDefaultRequest('validateStatus', (s: number) => s >= 200 && s < 300);
  // Keep connections open between sends: a TLS handshake per e-mail costs more than the request. Idle sockets are
  // dropped after 30 s, before a server would close them under us.
  const agent = { keepAlive: true, maxSockets: 50, timeout: 30_000 };
  client.setDefaultRequest('httpAgent', new http.Agent(agent));
  client.setDefaultRequest('httpsAgent', new https.Agent(agent));
  const mail = new MailServiceClass();
  mail.setClient(client as any);

  return {
    async send(msg) {
      const data = sendGridData(msg);
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
