// `npm run report-render [-- --runs R] [--file <html>] [--screenshot <png>]`: figures for the HTML report (issue 27).
// Without --file: a validated campaign of 20 actions (12 e-mails, 4 Check e-mail status, 2 Waits, 2 Set tags), its
// report drawn for an audience of 1,000 and of 10,000,000 customers: the file's size for each (it holds counts, never a
// row per customer, so only the digits grow), then the larger file opened R times in Debian's headless Chromium, each in
// a fresh context: milliseconds from navigation to the first contentful paint and to the load event's end, median,
// p95 and max, and the first (cold) load apart. With --file: the same for that file (e.g. .stack/welcome-report.html
// after `npm start`); --screenshot writes a full-page PNG of it at 1280 px (docs/report-demo.png is made so).
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseCampaign } from '../src/campaigns/validate';
import type { ActionFigures, CampaignReport, FlowFigures } from '../src/report/campaignReport';
import { renderReportHtml } from '../src/report/html';
import { reportTree } from '../src/report/tree';
import { launchChromium } from '../test/support/chromium';

const ACTIONS = 20;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** 20 actions: 4 waves of e-mail -> check -> (reminder | tag), with 2 Waits between the waves. */
function campaignDoc() {
  const from = { email: 'news@shop.example.com', name: 'Shop' };
  const email = (id: string, subject: string, children: unknown[] = []) => ({
    id,
    type: 'sendEmail',
    settings: { from, subject, html: '<p>{{ customer.firstName }}</p><a href="https://shop.example.com/">shop</a>' },
    children,
  });
  const wave = (k: number, next: unknown[]): unknown =>
    email(`wave${k}-mail`, `Wave ${k}: news for {{ customer.firstName | default: "you" }}`, [
      {
        id: `wave${k}-check`,
        type: 'checkEmailStatus',
        settings: {
          emailActionId: `wave${k}-mail`,
          waitUpTo: { days: 2 },
          branches: { [`wave${k}-remind`]: ['delivered_not_opened', 'opened_not_clicked'], [`wave${k}-more`]: ['clicked'] },
        },
        children: [email(`wave${k}-remind`, `Wave ${k}: did you see it?`), email(`wave${k}-more`, `Wave ${k}: more for you`, next)],
      },
    ]);
  const wait = (k: number, next: unknown) => ({ id: `pause${k}`, type: 'wait', settings: { duration: { days: 7 } }, children: [next] });
  const tag = (id: string) => ({ id, type: 'setTag', settings: { tag: id }, children: [] });
  const w4 = wave(4, [tag('finished')]);
  const w3 = wave(3, [wait(2, w4)]);
  const w2 = wave(2, [wait(1, w3)]);
  return { id: 'twenty', name: 'Twenty actions', actions: [wave(1, [w2]), tag('entered')] };
}

/** Plausible counts for an audience of n, each step a share of the one before. */
function emailFigures(n: number, k: number): ActionFigures {
  const f = (x: number) => Math.round(x);
  const reached = f(n / k);
  const skipped = { ch: f(reached * 0.04), addr: f(reached * 0.02), cat: f(reached * 0.06), gone: f(reached * 0.001) };
  const total = skipped.ch + skipped.addr + skipped.cat + skipped.gone;
  const failed = f(reached * 0.001);
  const sent = reached - total - failed;
  const hard = f(sent * 0.01);
  const soft = f(sent * 0.005);
  const delivered = sent - hard - soft;
  const opened = f(delivered * 0.35);
  return {
    customersReached: reached,
    sent,
    skipped: {
      total,
      byGroup: {
        unsubscribedFromChannel: skipped.ch,
        addressIssue: skipped.addr,
        unsubscribedFromCategory: skipped.cat,
        customerNotFound: skipped.gone,
      },
      byReason: {
        email_channel_unsubscribed: skipped.ch,
        email_missing: f(skipped.addr / 2),
        email_invalid: skipped.addr - f(skipped.addr / 2),
        category_unsubscribed: skipped.cat,
        customer_not_found: skipped.gone,
      },
    },
    failed,
    deliveryUnknown: 0,
    lifetimeExpired: failed,
    cancelled: 0,
    cancelledInFlight: 0,
    inProgress: 0,
    awaitingWord: 0,
    confirmedLate: 0,
    possibleDuplicates: 0,
    duplicatesConfirmed: 0,
    delivery: {
      delivered,
      bounced: { total: hard + soft, hard, soft },
      dropped: 0,
      openedCustomers: opened,
      clickedCustomers: f(opened * 0.2),
      unsubscribed: f(delivered * 0.002),
      spamReports: f(delivered * 0.0002),
    },
  };
}

function syntheticReport(n: number): CampaignReport {
  const campaign = parseCampaign(campaignDoc(), { categoryCodes: new Set() });
  const tree = reportTree(campaign);
  if (tree.length !== ACTIONS) throw new Error(`the campaign has ${tree.length} actions, not ${ACTIONS}`);
  const emails = tree.filter((t) => t.type === 'sendEmail');
  const actions = emails.map((t, i) => ({ actionId: t.actionId, ...emailFigures(n, i + 1) }));
  const totals = emailFigures(n, 1);
  const flow: FlowFigures[] = tree
    .filter((t) => t.type === 'checkEmailStatus' || t.type === 'wait')
    .map((t, i) => {
      const reached = Math.round(n / (i + 2));
      const branches: Record<string, number> =
        t.type === 'wait'
          ? { continued: reached }
          : {
              undelivered: Math.round(reached * 0.02),
              delivered_not_opened: Math.round(reached * 0.6),
              opened_not_clicked: Math.round(reached * 0.3),
              email_not_sent: 0,
            };
      if (t.type !== 'wait') branches.clicked = reached - Object.values(branches).reduce((a, b) => a + b, 0);
      return { actionId: t.actionId, type: t.type, customersReached: reached, waiting: 0, branches, cancelled: 0 };
    });
  return {
    campaignId: campaign.id,
    generatedAt: new Date().toISOString(),
    actions,
    totals,
    flow,
    campaign: { name: campaign.name, version: 1, figureVersions: [1] },
    tree,
    state: {
      state: 'finished',
      runs: { running: 0, completed: n, failed: 0, cancelled: 0, terminated: 0, timedOut: 0 },
      launches: { running: 0, stopped: 0, total: 1 },
    },
  };
}

interface Load {
  fcp: number;
  load: number;
  frame: number;
  /** main-thread CPU and layout time, ms */
  cpu: number;
  layout: number;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function measure(file: string, runs: number, screenshot?: string, what = 'the report'): Promise<void> {
  const browser = await launchChromium();
  try {
    const url = pathToFileURL(file).href;
    const loads: Load[] = [];
    for (let i = 0; i <= runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(url, { waitUntil: 'load' });
      // The first contentful paint (waited for: it may come after the load event), the load event's end, and the end of
      // the first frame after it (two animation frames: the whole page laid out and painted once).
      const t = (await page.evaluate(`new Promise((resolve) => {
        const nav = performance.getEntriesByType('navigation')[0];
        new PerformanceObserver((list, observer) => {
          const fcp = list.getEntriesByName('first-contentful-paint')[0];
          if (!fcp) return;
          observer.disconnect();
          requestAnimationFrame(() => requestAnimationFrame(() => resolve({ fcp: fcp.startTime, load: nav.loadEventEnd, frame: performance.now() })));
        }).observe({ type: 'paint', buffered: true });
      })`)) as Omit<Load, 'cpu' | 'layout'>;
      // The renderer's main thread: its CPU time (less bent by a busy machine than the clock) and its time in layout.
      const metrics = new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value * 1000]));
      const load: Load = { ...t, cpu: metrics.get('ThreadTime') ?? NaN, layout: metrics.get('LayoutDuration') ?? NaN };
      loads.push(load);
      if (i === runs && screenshot) await page.screenshot({ path: screenshot, fullPage: true });
      await context.close();
    }
    const [cold, ...warm] = loads;
    const load = os.loadavg().map((x) => x.toFixed(1));
    console.log(`${what} in Chromium: ${runs} loads, each in a fresh context, after a first cold load; load average ${load.join(' ')}`);
    const rows: [string, keyof Load][] = [
      ['first contentful paint', 'fcp'],
      ['load event end', 'load'],
      ['frame after load', 'frame'],
      ['main-thread CPU', 'cpu'],
      ['layout (clock time)', 'layout'],
    ];
    for (const [name, key] of rows) {
      const xs = warm.map((l) => l[key]);
      const figures = `median ${ms(quantile(xs, 0.5))}, p95 ${ms(quantile(xs, 0.95))}, max ${ms(Math.max(...xs))}`;
      console.log(`  ${name.padEnd(24)} ${figures}; cold ${ms(cold[key])}`);
    }
    if (screenshot) console.log(`screenshot: ${screenshot} (${statSync(screenshot).size} bytes)`);
  } finally {
    await browser.close();
  }
}

function size(file: string, html: string): string {
  return `${statSync(file).size} bytes (${(statSync(file).size / 1024).toFixed(1)} KiB; gzip ${(gzipSync(html).length / 1024).toFixed(1)} KiB)`;
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs') ?? 20);
  const screenshot = arg('--screenshot');
  const given = arg('--file');
  if (given) {
    console.log(`${given}: ${statSync(given).size} bytes`);
    await measure(path.resolve(given), runs, screenshot && path.resolve(screenshot));
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'report-render-'));
  let last = '';
  for (const n of [1_000, 10_000_000]) {
    const html = renderReportHtml(syntheticReport(n));
    last = path.join(dir, `twenty-${n}.html`);
    writeFileSync(last, html);
    console.log(`${ACTIONS} actions, ${n.toLocaleString('en-US')} customers: ${size(last, html)}: ${last}`);
  }
  await measure(last, runs, screenshot && path.resolve(screenshot));
  // The floor: the same measure of a page with one line of text, on this machine at this moment.
  const floor = path.join(dir, 'floor.html');
  writeFileSync(
    floor,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body><p>one line</p></body></html>',
  );
  await measure(floor, runs, undefined, 'a page of one line (the floor)');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
