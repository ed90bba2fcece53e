// Prebuilds the workflow bundle at build time (dist/workflow-bundle.js), so that workers load it instead of running
// webpack at start-up: faster starts and a few hundred MB less memory per worker process.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE, workflowInterceptorModules, workflowsPath } from '../src/temporal/workerShared';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), workflowInterceptorModules, logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} } as any });
  writeFileSync(PREBUILT_BUNDLE, code);
  console.error(`workflow bundle: ${path.relative(process.cwd(), PREBUILT_BUNDLE)} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
