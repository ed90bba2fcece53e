// Prebuilds the workflow bundle at build time (dist/workflow-bundle.js), so that workers load it instead of running
// webpack at start-up: faster starts and a few hundred MB less memory per worker process. Beside it goes the hash of the
// sources it was built from (dist/workflow-bundle.json); workers use the bundle only while that hash still matches.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE_META, workflowSourceHash } from '../src/temporal/workflowBundle';
import { PREBUILT_BUNDLE, workflowBundleOptions } from '../src/temporal/workerShared';

const quiet = { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} };

async function main(): Promise<void> {
  const sourceHash = workflowSourceHash();
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quiet });
  writeFileSync(PREBUILT_BUNDLE, code);
  writeFileSync(PREBUILT_BUNDLE_META, JSON.stringify({ sourceHash, builtAt: new Date().toISOString() }, null, 2));
  console.error(`workflow bundle: ${path.relative(process.cwd(), PREBUILT_BUNDLE)} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
