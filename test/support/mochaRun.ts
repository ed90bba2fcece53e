// What both test commands share: finding test files, running mocha while counting, and the closing lines CI reads
// (each failure's title right above "N passed, N failed": CI shows only the end of its output).
import path from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import type Mocha from 'mocha';

/** Every *.test.js (compiled) or *.test.ts (from source) under `dir`, sorted; none when it does not exist. */
export function testFiles(dir: string, suffix: '.test.js' | '.test.ts'): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out; // folder absent
  }
  for (const name of names) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

/** TEST_GREP (a part of a title, or a regular expression) and TEST_GREP_INVERT=1 (every test but those). */
export function grepOptions(): Mocha.MochaOptions {
  const grep = process.env.TEST_GREP;
  return grep ? { grep, invert: process.env.TEST_GREP_INVERT === '1' } : {};
}

export interface Tally {
  passed: number;
  failed: number;
  /** "FAILED: <full title>: <first line of the error>", one a failure */
  failures: string[];
}

/** Runs the suite, counting passes and failures. */
export function runCounting(mocha: Mocha): Promise<Tally> {
  const tally: Tally = { passed: 0, failed: 0, failures: [] };
  return new Promise((resolve) => {
    const runner = mocha.run(() => resolve(tally));
    runner.on('pass', () => tally.passed++);
    runner.on('fail', (test: Mocha.Runnable, err: Error) => {
      tally.failed++;
      tally.failures.push(
        `FAILED: ${test.fullTitle()}: ${String(err?.message ?? err)
          .split('\n')[0]
          .slice(0, 200)}`,
      );
    });
  });
}

/** The closing lines: the failures, how long it took, and "N passed, N failed"; the exit code. */
export function finish(tally: Tally, startedMs: number, tookLabel = 'tests took'): number {
  for (const line of tally.failures) console.log(line);
  console.log(`\n${tookLabel} ${Math.round((Date.now() - startedMs) / 1000)}s`);
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

/** Runs a test command's main and exits with its code; a crash still ends with the line CI reads. */
export function exitWith(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
