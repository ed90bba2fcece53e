// A customer's path through the unsubscribe link, in Debian's headless Chromium driven by playwright-core: open the link
// of a message the worker sent, keep the offered choice (the e-mail's category), unsubscribe; the next run is skipped.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { acceptedFor, importLines, outcomeOf, runToEnd, seedCategories, startWorker, uid, type RunningWorker } from '../support/harness';
import { emailSettings, emailThenTag, storeDoc } from '../support/campaigns';
import { startTestService, type TestService } from '../support/service';

describe('Unsubscribing in a browser', function () {
  let w: RunningWorker;
  let service: TestService;
  let browser: Browser;
  before(async function () {
    await seedCategories();
    service = await startTestService();
    w = await startWorker({ publicUrl: service.url });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await w?.stop();
    await service?.close();
  });

  it('opens the link from a sent message and unsubscribes from its category; the next run is skipped', async () => {
    const id = uid('browser');
    const email = `${id}@example.com`;
    await importLines([{ id, email, emailSubscribed: true }]);
    const html = '<p>Hello</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';
    const stored = await storeDoc(emailThenTag(uid('browsercamp'), emailSettings({ html, categoryCode: 'news' })));
    assert.equal(outcomeOf(await runToEnd(w, stored, id), 'email').status, 'sent');
    const body = acceptedFor(email)[0].body;
    const sentHtml = body.content.find((c: { type: string }) => c.type === 'text/html').value as string;
    const link = /href="([^"]*\/unsubscribe\/[^"]+)"/.exec(sentHtml)![1];

    const page = await browser.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Unsubscribe' }).waitFor();
    const category = page.getByLabel('Only “News” e-mails');
    assert.equal(await category.isChecked(), true, 'the e-mail’s category is offered and chosen');
    assert.equal(await page.getByLabel('All e-mails from us').isChecked(), false);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByText('You are unsubscribed from “News” e-mails.').waitFor();
    await page.close();

    const next = await storeDoc(emailThenTag(uid('browsernext'), emailSettings({ categoryCode: 'news' })));
    assert.deepEqual(outcomeOf(await runToEnd(w, next, id), 'email'), { status: 'skipped', reasons: ['category_unsubscribed'] });
  });
});
