// The test runner behind `npm test`: sets up the shared environment once, runs every compiled *.test.js with mocha,
// then checks that no workflow history on the test server holds an address of the test data (counted as one more check),
// and ends with the line CI reads: "N passed, N failed".
import path from 'node:path';
import Mocha from 'mocha';
import { setUp, tearDown, testEnv } from './env';
import { describeHits, scanHistories, testDataAddresses } from './historyAddresses';
import { exitWith, finish, grepOptions, runCounting, testFiles, type Tally } from './mochaRun';

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
  const mocha = new Mocha({ timeout: 120_000, reporter: 'spec', ...grepOptions() });
  // The fast lane first (test/unit: needs nothing running; `npm run test:unit` runs it alone), then workflow logic with
  // stubbed activities and activities in a mock context: fast too, they need the server or the database but no
  // SendGrid traffic.
  for (const dir of ['unit', 'build', 'workflows', 'activities', 'e2e', 'replay', 'browser']) {
    for (const f of testFiles(path.join(root, dir), '.test.js')) mocha.addFile(f);
  }
  const started = Date.now();
  await setUp();
  let tally: Tally;
  try {
    tally = await runCounting(mocha);
    const clean = await historiesHoldNoAddress().catch((err) => {
      console.error('the history address check could not run:', err);
      return false;
    });
    if (clean) tally.passed++;
    else {
      tally.failed++;
      tally.failures.push('FAILED: the workflow histories hold an address of the test data');
    }
  } finally {
    await tearDown().catch((err) => console.error('teardown failed:', err));
  }
  return finish(tally, started);
}

exitWith(main);
