// The fast lane behind `npm run test:unit`: every test in test/unit, the tests that need no server (no Temporal, no
// Postgres, no suite-wide SendGrid fake, no workflow bundle), run from source under ts-node (swc, no type check: the
// build and lint check types), with no set-up and no build. It prints how long it took and ends as `npm test` does,
// with "N passed, N failed". `npm test` runs the same files compiled, with everything else.
import path from 'node:path';
import Mocha from 'mocha';
import { exitWith, finish, grepOptions, runCounting, testFiles } from './mochaRun';
import { ROOT } from './paths';

async function main(): Promise<number> {
  const mocha = new Mocha({ timeout: 60_000, reporter: 'spec', ...grepOptions() });
  for (const f of testFiles(path.join(ROOT, 'test', 'unit'), '.test.ts')) mocha.addFile(f);
  const started = Date.now();
  const tally = await runCounting(mocha);
  return finish(tally, started, 'unit lane (no server) took');
}

exitWith(main);
