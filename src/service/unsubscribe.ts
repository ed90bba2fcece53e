// One-click unsubscribe (RFC 8058) and the unsubscribe page. The token in the URL is HMAC-signed (email/unsubscribeToken):
// a forged or altered one gets 400 and changes nothing. POST with List-Unsubscribe=One-Click unsubscribes at once, from
// the send's category when it is visible, else from the e-mail channel; GET shows a page to confirm and to choose the
// category or all e-mails. Hidden categories are never offered: only the channel. Every answer is idempotent.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { markSendUnsubscribed } from '../db/deliveryEvents';
import type { Db } from '../db/knex';
import { emailSubscriptionState, findCategory, setCategoryEmail, setEmailChannel, type CategoryRef } from '../db/subscriptions';
import {
  testSendOf,
  UNSUBSCRIBE_PATH,
  verifyUnsubscribeTokenRotating,
  type UnsubscribeClaims,
  type UnsubscribeKeys,
} from '../email/unsubscribeToken';
import { escapeHtml } from '../email/escapeHtml';
import { page } from './page';

export interface UnsubscribeOptions {
  db: Db;
  /** the secret links are signed with, and during a rotation the previous one until its end */
  keys: UnsubscribeKeys;
  log: (line: string) => void;
}

type Scope = 'category' | 'all';

/** The body of a POST: the RFC 8058 one-click form, or the page's own choice. Multipart is read for the one field. */
function readChoice(contentType: string | undefined, body: string): 'one-click' | Scope | null {
  let fields: URLSearchParams;
  if ((contentType ?? '').startsWith('multipart/form-data')) {
    fields = new URLSearchParams();
    for (const m of body.matchAll(/name="([^"]+)"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)/g)) fields.append(m[1], m[2]);
  } else {
    fields = new URLSearchParams(body);
  }
  if (fields.get('List-Unsubscribe') === 'One-Click') return 'one-click';
  const scope = fields.get('scope');
  return scope === 'category' || scope === 'all' ? scope : null;
}

/** The category a customer may leave through this link: the send's, if it still exists and is visible. */
async function offeredCategory(db: Db, claims: UnsubscribeClaims): Promise<CategoryRef | null> {
  if (!claims.categoryCode) return null;
  const c = await findCategory(db, claims.categoryCode);
  return c && c.visible ? c : null;
}

function badToken(reply: FastifyReply): FastifyReply {
  return reply
    .code(400)
    .type('text/html; charset=utf-8')
    .send(page('Link not valid', '<p>This unsubscribe link is not valid. Please use the link from the e-mail as it is.</p>'));
}

/** A test send's link (campaign-runner test-send): it unsubscribes nobody, whatever is asked. */
function testSendPage(reply: FastifyReply): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .send(
      page(
        'Unsubscribe: a test e-mail',
        '<p class="done">This link came in a test e-mail. Nothing was changed: a test e-mail unsubscribes nobody.</p>',
      ),
    );
}

function unknownCustomer(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/html; charset=utf-8').send(page('Not found', '<p>We have no subscription for this link any more.</p>'));
}

export async function registerUnsubscribe(app: FastifyInstance, o: UnsubscribeOptions): Promise<void> {
  const claimsOf = (req: FastifyRequest) => verifyUnsubscribeTokenRotating(o.keys, (req.params as { token: string }).token);
  const route = `${UNSUBSCRIBE_PATH}/:token`;

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => done(null, body));

    scope.get(route, async (req, reply) => {
      const claims = claimsOf(req);
      if (!claims) return badToken(reply);
      if (testSendOf(claims) !== null) return testSendPage(reply);
      const category = await offeredCategory(o.db, claims);
      const state = await emailSubscriptionState(o.db, claims.customerId, category?.code ?? null);
      if (!state) return unknownCustomer(reply);
      const options: string[] = [];
      if (category && state.categorySubscribed !== false) {
        options.push(
          `<label><input type="radio" name="scope" value="category" checked> Only “${escapeHtml(category.name)}” e-mails</label>`,
        );
      }
      if (state.channelActive) {
        options.push(`<label><input type="radio" name="scope" value="all"${options.length ? '' : ' checked'}> All e-mails from us</label>`);
      }
      const status = !state.channelActive
        ? '<p class="done">You no longer receive any e-mails from us.</p>'
        : category && state.categorySubscribed === false
          ? `<p class="done">You no longer receive “${escapeHtml(category.name)}” e-mails.</p>`
          : '';
      const form = options.length
        ? `<form method="post"><fieldset><legend>Stop receiving</legend>${options.join('<br>')}</fieldset><button type="submit">Unsubscribe</button></form>`
        : '';
      return reply.type('text/html; charset=utf-8').send(page('Unsubscribe', `${status}${form}`));
    });

    scope.post(route, async (req, reply) => {
      const claims = claimsOf(req);
      if (!claims) return badToken(reply);
      const testSend = testSendOf(claims);
      if (testSend !== null) {
        o.log(`unsubscribe: the link of test send ${testSend}; nothing changed`);
        return testSendPage(reply);
      }
      const choice = readChoice(req.headers['content-type'], typeof req.body === 'string' ? req.body : '');
      if (!choice) {
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(page('Unsubscribe', '<p>Send List-Unsubscribe=One-Click, or choose scope=category or scope=all.</p>'));
      }
      const category = await offeredCategory(o.db, claims);
      if (choice === 'category' && !category) {
        return reply.code(400).type('text/html; charset=utf-8').send(page('Unsubscribe', '<p>This e-mail has no category to leave.</p>'));
      }
      // One-click leaves the send's category when there is one to leave, else all e-mails.
      const scopeTaken: Scope = choice === 'one-click' ? (category ? 'category' : 'all') : choice;
      const found = await o.db.transaction(async (trx) => {
        const exists = await trx('customers').where({ external_id: claims.customerId }).forUpdate().first('external_id');
        if (!exists) return false;
        if (scopeTaken === 'category') await setCategoryEmail(trx, claims.customerId, category!.code, false);
        else await setEmailChannel(trx, claims.customerId, false);
        await markSendUnsubscribed(trx, claims.sendKey, claims.customerId);
        return true;
      });
      if (!found) return unknownCustomer(reply);
      o.log(
        `unsubscribe: customer ${claims.customerId} left ${scopeTaken === 'category' ? `category ${category!.code}` : 'the e-mail channel'} (${choice})`,
      );
      const what = scopeTaken === 'category' ? `“${escapeHtml(category!.name)}” e-mails` : 'all e-mails from us';
      return reply.type('text/html; charset=utf-8').send(page('Unsubscribed', `<p class="done">You are unsubscribed from ${what}.</p>`));
    });
  });
}
