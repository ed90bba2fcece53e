// The test runner behind `npm test`: sets up the shared environment once, runs every compiled *.test.js with mocha,
// then checks that no workflow history on the test server holds an address of the test data (counted as one more check),
// and ends with the line CI reads: "N passed, N failed".
import path from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import Mocha from 'mocha';
import { setUp, tearDown, testEnv } from './env';
import { describeHits, scanHistories, testDataAddresses } from './historyAddresses';

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** After every test: no history on the test server may hold an address of the test data (docs/testing.md). */
async function historiesHoldNoAddress(): Promise<boolean> {
  const { client, db, fake } = testEnv();
  const started = Date.now();
  const addresses = await testDataAddresses(db, fake);
  const { histories, hits } = await scanHistories(client, addresses);
  const took = `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const what = `${histories} workflow histories searched for ${addresses.length} addresses of the test data (${took})`;
  if (hits.length === 0) {
    console.log(`\n  ✔ ${what}: none found`);
    return true;
  }
  console.log(`\n  ✖ ${what}: ${hits.length} found`);
  for (const line of describeHits(hits)) console.log(`      ${line}`);
  return false;
}

async function main(): Promise<number> {
  const root = path.join(__dirname, '..'); // dist/test
  const grep = process.env.TEST_GREP;
  // TEST_GREP_INVERT=1: every test but those TEST_GREP matches.
  const mocha = new Mocha({ timeout: 120_000, reporter: 'spec', ...(grep ? { grep, invert: process.env.TEST_GREP_INVERT === '1' } : {}) });
  // Unit tests first (fast, need nothing running), then workflow logic with stubbed activities and activities in a mock
  // context: fast too, they need the server or the database but no SendGrid traffic.
  for (const dir of ['unit', 'workflows', 'activities', 'e2e', 'replay', 'browser']) {
    try {
      for (const f of testFiles(path.join(root, dir))) mocha.addFile(f);
    } catch {
      /* folder absent */
    }
  }
  const started = Date.now();
  await setUp();
  let passed = 0;
  let failed = 0;
  // Each failure's title again, one line each, right above the summary: CI shows only the end of its output.
  const failures: string[] = [];
  try {
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => passed++);
      runner.on('fail', (test: Mocha.Runnable, err: Error) => {
        failed++;
        failures.push(
          `FAILED: ${test.fullTitle()}: ${String(err?.message ?? err)
            .split('\n')[0]
            .slice(0, 200)}`,
        );
      });
    });
    const clean = await historiesHoldNoAddress().catch((err) => {
      console.error('the history address check could not run:', err);
      return false;
    });
    if (clean) passed++;
    else {
      failed++;
      failures.push('FAILED: the workflow histories hold an address of the test data');
    }
  } finally {
    await tearDown().catch((err) => console.error('teardown failed:', err));
  }
  for (const line of failures) console.log(line);
  console.log(`\ntests took ${Math.round((Date.now() - started) / 1000)}s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
