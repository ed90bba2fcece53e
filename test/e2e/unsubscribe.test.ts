// One-click unsubscribe (RFC 8058) and the unsubscribe page, against the real worker, service, Postgres and fake: the link
// comes from a message the worker sent.
import assert from 'node:assert/strict';
import { LOOPBACK_UNSUBSCRIBE_SECRET } from '../../src/config';
import { signUnsubscribeToken } from '../../src/email/unsubscribeToken';
import { campaignReport } from '../../src/report/campaignReport';
import { testEnv } from '../support/env';
import { acceptedFor, outcomeOf, runToEnd, useWorker, type RunningWorker } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';
import { useService } from '../support/service';

async function sendOnce(w: RunningWorker, categoryCode?: string) {
  const { id, email } = await customer({}, 'unsub');
  const html = '<p>Hi</p><a href="{{ unsubscribe_url }}">Unsubscribe</a>';
  const stored = await emailCampaign({ html, ...(categoryCode ? { categoryCode } : {}) }, 'unsubcamp');
  assert.equal(outcomeOf(await runToEnd(w, stored, id), 'email').status, 'sent');
  const [message] = acceptedFor(email);
  return { id, email, stored, message: message.body };
}

async function nextOutcome(w: RunningWorker, customerId: string, categoryCode?: string) {
  const stored = await emailCampaign(categoryCode ? { categoryCode } : {}, 'after');
  return outcomeOf(await runToEnd(w, stored, customerId), 'email');
}

const oneClick = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

describe('Unsubscribe links', function () {
  const service = useService();
  const w = useWorker(() => ({ publicUrl: service.url }));

  it('every e-mail carries List-Unsubscribe (the service URL) and List-Unsubscribe-Post; the body gets the same link', async () => {
    const { message } = await sendOnce(w, 'news');
    const headers = message.headers as Record<string, string>;
    assert.equal(headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const url = /^<([^>]+)>$/.exec(headers['List-Unsubscribe'])![1];
    assert.ok(url.startsWith(`${service.url}/unsubscribe/v1.`), url);
    const html = message.content.find((c: { type: string }) => c.type === 'text/html').value as string;
    assert.ok(html.includes(`href="${url}"`), 'the body links to the same URL');
    assert.ok(!url.includes('%40') && !url.includes('@'), 'the URL holds no address');
  });

  it('one-click POST leaves the visible category at once, idempotently; the next run is skipped as category_unsubscribed', async () => {
    const { id, message, stored } = await sendOnce(w, 'news');
    const url = /<([^>]+)>/.exec(message.headers['List-Unsubscribe'])![1];
    for (let i = 0; i < 2; i++) assert.equal((await oneClick(url)).status, 200);
    assert.deepEqual(await nextOutcome(w, id, 'news'), { status: 'skipped', reasons: ['category_unsubscribed'] });
    assert.equal((await nextOutcome(w, id)).status, 'sent', 'the channel stays on');
    const report = await campaignReport(testEnv().db, stored.campaign.id);
    assert.equal(report.totals.delivery.unsubscribed, 1);
  });

  it('a send with a hidden category (or none) unsubscribes the channel; its page offers only all e-mails', async () => {
    const { id, message } = await sendOnce(w, 'service');
    const url = /<([^>]+)>/.exec(message.headers['List-Unsubscribe'])![1];
    const page = await (await fetch(url)).text();
    assert.ok(page.includes('value="all"'));
    assert.ok(!page.includes('value="category"') && !page.includes('Service notices'), 'the hidden category is never offered');
    assert.equal((await oneClick(url)).status, 200);
    assert.deepEqual(await nextOutcome(w, id), { status: 'skipped', reasons: ['email_channel_unsubscribed'] });
  });

  it('the page offers the visible category and all e-mails; choosing all turns the channel off', async () => {
    const { id, message } = await sendOnce(w, 'news');
    const url = /<([^>]+)>/.exec(message.headers['List-Unsubscribe'])![1];
    const page = await (await fetch(url)).text();
    assert.ok(page.includes('value="category"') && page.includes('News') && page.includes('value="all"'));
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'scope=all' });
    assert.equal(res.status, 200);
    assert.deepEqual(await nextOutcome(w, id, 'news'), { status: 'skipped', reasons: ['email_channel_unsubscribed'] });
  });

  it('a forged or tampered token gets 400 and changes nothing', async () => {
    const { id, message } = await sendOnce(w, 'news');
    const url = /<([^>]+)>/.exec(message.headers['List-Unsubscribe'])![1];
    const token = url.slice(url.lastIndexOf('/') + 1);
    const [v, payload, sig] = token.split('.');
    // Another customer's id under the same signature; a token signed with another secret; a truncated signature.
    const other = Buffer.from(JSON.stringify(['someone-else', 'news', 'k/email'])).toString('base64url');
    const forged = signUnsubscribeToken(`${LOOPBACK_UNSUBSCRIBE_SECRET}-not`, { customerId: id, categoryCode: null, sendKey: 'k/email' });
    for (const bad of [`${v}.${other}.${sig}`, forged, `${v}.${payload}.${sig.slice(0, -2)}`, 'garbage']) {
      const u = `${service.url}/unsubscribe/${bad}`;
      assert.equal((await oneClick(u)).status, 400, bad);
      assert.equal((await fetch(u)).status, 400, bad);
    }
    assert.equal((await nextOutcome(w, id, 'news')).status, 'sent');
  });
});
