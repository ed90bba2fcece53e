// An operator's path through Temporal Web, in Debian's headless Chromium driven by playwright-core: filter runs by
// CampaignId, open one, read its summary, and read the sendEmail activity's result.
import assert from 'node:assert/strict';
import { useBrowser } from '../support/browser';
import { testEnv, temporalWebUrl } from '../support/env';
import { outcomeOf, runToEnd, useWorker, visibleCount } from '../support/harness';
import { emailCampaign } from '../support/campaigns';
import { customer } from '../support/customers';

describe('Temporal Web in a browser', function () {
  before(() => {
    if (!temporalWebUrl())
      throw new Error('the test run must start its own Temporal server (unset TEMPORAL_ADDRESS) so that Temporal Web is on');
  });
  const browser = useBrowser();
  const w = useWorker();

  it('finds a run by CampaignId, shows its summary and the sendEmail result', async () => {
    const { id } = await customer({}, 'web');
    const stored = await emailCampaign({}, 'webcamp');
    const result = await runToEnd(w, stored, id);
    const email = outcomeOf(result, 'email');
    assert.equal(email.status, 'sent');
    const messageId = (email as { messageId: string }).messageId;
    const cid = stored.campaign.id;
    const workflowId = `campaign-run:${cid}:${id}`;
    assert.equal(await visibleCount(`CampaignId="${cid}"`, 1), 1);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${temporalWebUrl()}/namespaces/${testEnv().namespace}/workflows?query=${encodeURIComponent(`CampaignId="${cid}"`)}`);
    const link = page.getByRole('link', { name: workflowId });
    await link.waitFor({ timeout: 30_000 });
    assert.equal(await page.getByRole('link', { name: /^campaign-run:/ }).count(), 1, "the filter shows only this campaign's run");
    await link.click();

    await page.getByRole('tab', { name: /User Metadata/ }).click();
    // Temporal Web renders summaries as Markdown inside a sandboxed iframe.
    await page
      .frameLocator('iframe[title="output"] >> nth=0')
      .getByText(`Campaign ${cid}, customer ${id}`)
      .first()
      .waitFor({ timeout: 15_000 });
    await page.getByText('Send e-mail: action email').first().waitFor();

    await page.getByRole('tab', { name: /History/ }).click();
    await page.getByText('sendEmail • Send e-mail: action email').first().click();
    await page.getByText('Activity Task Completed').first().waitFor({ timeout: 15_000 });
    const text = await page.locator('body').innerText();
    const completed = text.slice(text.indexOf('Activity Task Completed'));
    assert.match(completed, new RegExp(`"status": "sent",\\s*"messageId": "${messageId}"`));
    await page.close();
  });
});
