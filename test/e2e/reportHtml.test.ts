// `campaign-runner report --html` over campaigns run for real (worker, Temporal server, Postgres, the SendGrid fake's
// events through the service): the file shows the numbers `report --json` prints, in the campaign's tree order, with
// the state of the launch (finished, running, stopped); a target it cannot write is one line and nothing is written.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CampaignReport } from '../../src/report/campaignReport';
import { runCli } from '../support/cli';
import { importLines, startWorker, uid, type RunningWorker } from '../support/harness';
import { storeDoc } from '../support/campaigns';
import { cell, figure, mismatches, sectionOf } from '../support/reportFigures';
import { runReportScenario, SCENARIO_FIGURES, type ReportScenario } from '../support/reportScenario';
import { startTestService, type TestService } from '../support/service';
import { testEnv } from '../support/env';

describe('report --html (end to end)', function () {
  let w: RunningWorker;
  let service: TestService;
  let dir: string;
  let scenario: ReportScenario;
  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(path.join(tmpdir(), 'cr-report-'));
    service = await startTestService({ temporal: testEnv().client });
    w = await startWorker({ publicUrl: service.url });
    scenario = await runReportScenario(w, dir);
  });
  after(async () => {
    await w?.stop();
    await service?.close();
  });

  const cli = (...args: string[]) => runCli(scenario.queues, ...args);

  it('writes the numbers report --json prints, where each belongs, in tree order, with the launch finished', async () => {
    const file = path.join(dir, 'report.html');
    const written = await cli('report', '--campaign', scenario.campaignId, '--html', file);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, new RegExp(`^wrote ${file.replace(/[.]/g, '\\.')} \\(\\d+\\.\\d KiB\\)$`, 'm'));
    const json = await cli('report', '--campaign', scenario.campaignId, '--json');
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as CampaignReport;
    const html = readFileSync(file, 'utf8');

    assert.deepEqual(mismatches(html, report), []);
    // The report itself follows the tree (its ids sort the other way), and the file draws every action of it.
    assert.deepEqual(
      report.actions.map((a) => a.actionId),
      ['z-mail', 'a-mail'],
    );
    const drawn = [...html.matchAll(/<section class="action[^"]*" data-action="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(drawn, ['z-mail', 'm-check', 'b-tag', 'a-mail']);

    // What the customers did, in the picture.
    for (const [actionId, want] of Object.entries(SCENARIO_FIGURES))
      for (const [k, n] of Object.entries(want)) assert.equal(figure(sectionOf(html, actionId), k), String(n), `${actionId} ${k}`);
    assert.match(sectionOf(html, 'm-check'), /clicked → b-tag/);
    assert.equal(cell(html, 'TOTAL', 'sent'), '4');

    // The header: the campaign's name escaped, its version, the launch finished.
    assert.equal(figure(html, 'campaignName'), `Report &lt;picture&gt; &amp; &quot;${scenario.campaignId}&quot;`);
    assert.equal(figure(html, 'version'), 'version 1');
    assert.equal(figure(html, 'state'), 'finished');
    assert.match(html, /runs: 6 completed · launches: 1 \(0 running\)/);
    assert.match(sectionOf(html, 'z-mail'), /“Hello &lt;b&gt;\{\{ customer\.firstName \| default: &quot;friend&quot; \}\}&lt;\/b&gt;”/);
  });

  it('a launch whose runs wait is running; once stopped, stopped', async function () {
    this.timeout(120_000);
    const id = uid('rptwait');
    await importLines([{ id, email: `${id}@example.com`, emailSubscribed: true }]);
    const stored = await storeDoc({
      id: uid('rptwaitcamp'),
      name: 'Waits',
      actions: [{ id: 'later', type: 'wait', settings: { duration: { seconds: 600 } }, children: [] }],
    });
    const ids = path.join(dir, `${id}.txt`);
    writeFileSync(ids, id);
    const launched = await cli('launch', '--campaign', stored.campaign.id, '--customers-file', ids);
    assert.equal(launched.code, 0, launched.stderr);
    const file = path.join(dir, 'waits.html');
    const running = await cli('report', '--campaign', stored.campaign.id, '--html', file);
    assert.equal(running.code, 0, running.stderr);
    let html = readFileSync(file, 'utf8');
    assert.equal(figure(html, 'state'), 'running');
    assert.equal(figure(sectionOf(html, 'later'), 'waiting'), '1');

    const stop = await cli('stop', '--campaign', stored.campaign.id);
    assert.equal(stop.code, 0, stop.stderr);
    const stopped = await cli('report', '--campaign', stored.campaign.id, '--html', file);
    assert.equal(stopped.code, 0, stopped.stderr);
    html = readFileSync(file, 'utf8');
    assert.equal(figure(html, 'state'), 'stopped');
    assert.equal(figure(sectionOf(html, 'later'), 'cancelled'), '1');
  });

  it('a target it cannot write, an unknown campaign or --json with --html: one line, exit 1, nothing written', async () => {
    const folder = path.join(dir, 'bad');
    mkdirSync(folder);
    const cases: [string[], RegExp][] = [
      [['--html', folder], /^error: --html: ".*bad" is a directory; give a file name, e\.g\. report\.html$/],
      [['--html', path.join(folder, 'missing', 'r.html')], /^error: --html: ".*missing\/r\.html": no such folder$/],
      [['--html', path.join(folder, 'r.html'), '--json'], /^error: give --json or --html, not both$/],
      [['--html', ''], /^error: --html: give a file name, e\.g\. report\.html$/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('report', '--campaign', scenario.campaignId, ...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr.trim(), message);
      assert.equal(r.stdout, '');
    }
    const unknown = await cli('report', '--campaign', 'no-such-campaign', '--html', path.join(folder, 'r.html'));
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, '');
    assert.equal(unknown.stderr.trim(), 'error: --campaign: no stored campaign "no-such-campaign"; nothing was written');
    assert.deepEqual(readdirSync(folder), [], 'no file, and no temporary file left behind');
    assert.equal(existsSync(path.join(folder, 'missing')), false);
  });
});
