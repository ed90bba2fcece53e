// The HTML report in Debian's headless Chromium: the file of a campaign run for real opens offline (it asks for nothing
// but itself), draws its pictures, fits a laptop's width, and the page's text holds the numbers `report --json` prints.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { REPORT_COLUMNS, type CampaignReport } from '../../src/report/campaignReport';
import { launchChromium } from '../support/chromium';
import { runCli } from '../support/cli';
import { testEnv } from '../support/env';
import { startWorker, type RunningWorker } from '../support/harness';
import { emailFigures, flowFigures, shown } from '../support/reportFigures';
import { runReportScenario, type ReportScenario } from '../support/reportScenario';
import { startTestService, type TestService } from '../support/service';

describe('the HTML report in a browser', function () {
  let w: RunningWorker;
  let service: TestService;
  let browser: Browser;
  let dir: string;
  let scenario: ReportScenario;
  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(path.join(tmpdir(), 'cr-report-browser-'));
    service = await startTestService({ temporal: testEnv().client });
    w = await startWorker({ publicUrl: service.url });
    browser = await launchChromium();
    scenario = await runReportScenario(w, dir);
  });
  after(async () => {
    await browser?.close();
    await w?.stop();
    await service?.close();
  });

  it('opens offline, draws the funnels, and its text shows every number of report --json', async () => {
    const file = path.join(dir, 'report.html');
    const written = await runCli(scenario.queues, 'report', '--campaign', scenario.campaignId, '--html', file);
    assert.equal(written.code, 0, written.stderr);
    const json = await runCli(scenario.queues, 'report', '--campaign', scenario.campaignId, '--json');
    const report = JSON.parse(json.stdout) as CampaignReport;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (err) => problems.push(String(err)));
    await page.goto(pathToFileURL(file).href);
    assert.deepEqual(requests, [pathToFileURL(file).href], 'it asks for nothing but itself');
    assert.deepEqual(problems, [], 'no console message, no error (a blocked fetch would log one)');

    // Drawn: the funnel's first bar spans the chart, and the page fits a laptop's width.
    const bar = await page.locator('section[data-action="z-mail"] rect.bar.funnel').first().boundingBox();
    assert.ok(bar && bar.width > 150 && bar.height > 10, `the funnel's first bar is drawn: ${JSON.stringify(bar)}`);
    assert.ok(((await page.evaluate('document.documentElement.scrollWidth')) as number) <= 1280, 'no sideways scrolling at 1280 px');

    // The page's text, as a reader sees it: each section's counts after their labels.
    for (const a of report.actions) {
      const text = await page.locator(`section[data-action="${a.actionId}"]`).innerText();
      const d = a.delivery;
      for (const [label, n] of [
        ['reached', a.customersReached],
        ['sent', a.sent],
        ['delivered', d.delivered],
        [d.machineOpens === undefined ? 'opened' : 'opened \\(people\\)', d.openedCustomers],
        ['clicked', d.clickedCustomers],
        ['channel unsubscribed', a.skipped.byGroup.unsubscribedFromChannel],
        ['address missing/invalid', a.skipped.byGroup.addressIssue],
        ['category unsubscribed', a.skipped.byGroup.unsubscribedFromCategory],
        ['bounced: hard', d.bounced.hard],
      ] as const)
        assert.match(text, new RegExp(`^${label}\\n${shown(n)}\\b`, 'm'), `${a.actionId}: ${label} ${n} in\n${text}`);
      for (const [k, n] of Object.entries(emailFigures(a)))
        assert.equal(
          await page.locator(`section[data-action="${a.actionId}"] [data-figure="${k}"]`).textContent(),
          shown(n),
          `${a.actionId} ${k}`,
        );
    }
    for (const f of report.flow) {
      const text = await page.locator(`section[data-action="${f.actionId}"]`).innerText();
      assert.match(text, new RegExp(`Reached ${shown(f.customersReached)}; the branches taken`));
      assert.match(text, new RegExp(`^clicked → b-tag\\n${shown(f.branches.clicked)}\\b`, 'm'));
      for (const [k, n] of Object.entries(flowFigures(f)))
        assert.equal(
          await page.locator(`section[data-action="${f.actionId}"] [data-figure="${k}"]`).textContent(),
          shown(n),
          `${f.actionId} ${k}`,
        );
    }
    for (const [id, f] of [...report.actions.map((a) => [a.actionId, a] as const), ['TOTAL', report.totals] as const])
      for (const c of REPORT_COLUMNS)
        assert.equal(await page.locator(`td[data-action="${id}"][data-column="${c.head}"]`).innerText(), shown(c.of(f)), `${id} ${c.head}`);
    assert.equal(await page.locator('[data-figure="state"]').innerText(), 'finished');

    const png = path.join(dir, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    assert.ok(statSync(png).size > 20_000, `a screenshot with something in it (${statSync(png).size} bytes): ${png}`);
    await page.close();
  });
});
