// A customer's path through the unsubscribe link, in Debian's headless Chromium driven by playwright-core: open the link
// of a message the worker sent, keep the offered choice (the e-mail's category), unsubscribe; the next run is skipped.
import assert from 'node:assert/strict';
import { useBrowser } from '../support/browser';
import { acceptedFor, outcomeOf, runToEnd, useWorker } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';
import { useService } from '../support/service';

describe('Unsubscribing in a browser', function () {
  const browser = useBrowser();
  const service = useService();
  const w = useWorker(() => ({ publicUrl: service.url }));

  it('opens the link from a sent message and unsubscribes from its category; the next run is skipped', async () => {
    const { id, email } = await customer({}, 'browser');
    const html = '<p>Hello</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';
    const stored = await emailCampaign({ html, categoryCode: 'news' }, 'browsercamp');
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

    const next = await emailCampaign({ categoryCode: 'news' }, 'browsernext');
    assert.deepEqual(outcomeOf(await runToEnd(w, next, id), 'email'), { status: 'skipped', reasons: ['category_unsubscribed'] });
  });
});
