// Which workflow code a worker runs: the prebuilt bundle only while the hash beside it matches the current sources;
// otherwise the worker says why and bundles the sources itself. The test rewrites dist/workflow-bundle.json (and writes a
// placeholder bundle if none was built) and puts back exactly what was there, whatever happens.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  PREBUILT_BUNDLE_META,
  prebuiltBundle,
  resolveWorkflowBundle,
  workflowSourceFiles,
  workflowSourceHash,
} from '../../src/temporal/workflowBundle';
import { PREBUILT_BUNDLE, workflowBundleOptions } from '../../src/temporal/workerShared';

/** Runs fn, then restores `file` to its content before (or removes it if it did not exist). */
async function preserving<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  const before = existsSync(file) ? readFileSync(file) : undefined;
  try {
    return await fn();
  } finally {
    if (before === undefined) rmSync(file, { force: true });
    else if (!existsSync(file) || !readFileSync(file).equals(before)) writeFileSync(file, before);
  }
}

const writeMeta = (sourceHash: string) =>
  writeFileSync(PREBUILT_BUNDLE_META, JSON.stringify({ sourceHash, builtAt: new Date().toISOString() }));

async function withPrebuilt<T>(fn: () => Promise<T> | T): Promise<T> {
  return preserving(PREBUILT_BUNDLE, () =>
    preserving(PREBUILT_BUNDLE_META, () => {
      // Only the file's presence matters to the choice; a real build leaves the real bundle here.
      if (!existsSync(PREBUILT_BUNDLE)) writeFileSync(PREBUILT_BUNDLE, '// placeholder written by workflowBundle.test.ts\n');
      return fn();
    }),
  );
}

describe('workflow bundle choice', function () {
  // The stale case really bundles the workflow code (webpack), which takes a while on a loaded machine.
  this.timeout(180_000);

  it('uses the prebuilt bundle when its meta hash matches the sources', async () => {
    await withPrebuilt(async () => {
      writeMeta(workflowSourceHash());
      assert.deepEqual(prebuiltBundle(), { kind: 'prebuilt', bundle: { codePath: PREBUILT_BUNDLE } });
      const warnings: string[] = [];
      assert.deepEqual(await resolveWorkflowBundle((m) => warnings.push(m)), { codePath: PREBUILT_BUNDLE });
      assert.deepEqual(warnings, []);
    });
  });

  it('calls a bundle built from other sources stale; the worker warns with the reason and bundles the sources', async () => {
    await withPrebuilt(async () => {
      writeMeta('0'.repeat(64));
      const choice = prebuiltBundle();
      assert.equal(choice.kind, 'stale');
      assert.match(choice.kind === 'stale' ? choice.reason : '', /built from other sources/);

      const warnings: string[] = [];
      const bundle = await resolveWorkflowBundle((m) => warnings.push(m));
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /built from other sources.*bundling the workflow code now/);
      assert.ok('code' in bundle && bundle.code.includes('campaignRun'), 'bundled the current workflow code');
    });
  });

  it('calls unreadable meta stale', async () => {
    await withPrebuilt(() => {
      writeFileSync(PREBUILT_BUNDLE_META, 'not json');
      assert.equal(prebuiltBundle().kind, 'stale');
    });
  });

  it('says missing when the meta file or the bundle is absent', async () => {
    for (const absent of [PREBUILT_BUNDLE_META, PREBUILT_BUNDLE]) {
      await withPrebuilt(() => {
        writeMeta(workflowSourceHash());
        renameSync(absent, `${absent}.aside`);
        try {
          const choice = prebuiltBundle();
          assert.equal(choice.kind, 'missing', absent);
          assert.match(choice.kind === 'missing' ? choice.reason : '', /no prebuilt workflow bundle at .*workflow-bundle\.js/);
        } finally {
          renameSync(`${absent}.aside`, absent);
        }
      });
    }
  });

  // The hash must cover every file of ours that webpack puts into the bundle: a file it missed could change (an action's
  // workflow code, say) while a worker went on running the stale prebuilt bundle.
  it('hashes every file of ours that the bundle holds', async () => {
    const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quiet });
    const srcRoot = path.resolve(__dirname, '..', '..', 'src');
    const bundled = [...code.matchAll(/^\/\*{3}\/ "([^"]+)"/gm)]
      .map((m) => m[1])
      .filter((id) => !id.includes('node_modules') && /(^|\/)src\//.test(id))
      .map((id) => id.replace(/^.*?\bsrc\//, ''));
    const hashed = new Set(workflowSourceFiles().map((f) => path.relative(srcRoot, f).split(path.sep).join('/')));
    assert.ok(bundled.includes('workflows/campaignRun.js'), `the bundle's modules were found: ${bundled.join(', ')}`);
    assert.deepEqual(
      bundled.filter((f) => !hashed.has(f)),
      [],
      'files in the workflow bundle that workflowSourceHash() does not read',
    );
  });
});

const quiet = { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} };
