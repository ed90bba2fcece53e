// Which workflow code a worker runs. `npm run build` prebuilds the bundle (scripts/bundleWorkflows.ts) and writes beside
// it a hash of the compiled sources it was built from. A worker uses the prebuilt bundle only when that hash matches
// the sources it has now; otherwise it bundles them itself and says so. A stale bundle would run old workflow code
// under new activities, and would let replay tests pass against code that is not what runs.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { dataConverter, PREBUILT_BUNDLE, workflowBundleOptions } from './workerShared';

export const PREBUILT_BUNDLE_META = PREBUILT_BUNDLE.replace(/\.js$/, '.json');

// What the bundle is made of: the compiled workflow code (src/workflows/, and in src/actions/ the files named workflow*:
// each action type's handler and their registry) and the contract, the only project code workflows may import (the
// lint rule in eslint.config.mjs), the failure converter, plus the SDK version that webpack bundles with them.
const SRC = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['workflows', 'contract'].map((d) => path.join(SRC, d));
const isActionWorkflowCode = (file: string) => /^workflow\w*\.js$/.test(path.basename(file));
const SOURCE_FILES = [dataConverter.failureConverterPath!];

function jsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? jsFiles(p) : name.endsWith('.js') ? [p] : [];
    });
}

/** The files of ours the workflow bundle is built from (compiled), in the order the hash reads them. */
export function workflowSourceFiles(): string[] {
  return [...SOURCE_DIRS.flatMap(jsFiles), ...jsFiles(path.join(SRC, 'actions')).filter(isActionWorkflowCode), ...SOURCE_FILES];
}

/** A hash of everything the workflow bundle is built from. */
export function workflowSourceHash(): string {
  const h = createHash('sha256');
  h.update(`@temporalio/workflow ${require('@temporalio/workflow/package.json').version}\n`);
  for (const file of workflowSourceFiles()) {
    h.update(`${path.relative(SRC, file)}\n`);
    h.update(readFileSync(file));
  }
  return h.digest('hex');
}

export type BundleChoice =
  { kind: 'prebuilt'; bundle: NonNullable<WorkerOptions['workflowBundle']> } | { kind: 'stale' | 'missing'; reason: string };

/** The prebuilt bundle if it was built from the current sources; otherwise why not. */
export function prebuiltBundle(): BundleChoice {
  if (!existsSync(PREBUILT_BUNDLE) || !existsSync(PREBUILT_BUNDLE_META)) {
    return { kind: 'missing', reason: `no prebuilt workflow bundle at ${path.relative(process.cwd(), PREBUILT_BUNDLE)}` };
  }
  let built: string | undefined;
  try {
    built = JSON.parse(readFileSync(PREBUILT_BUNDLE_META, 'utf8')).sourceHash;
  } catch {
    built = undefined;
  }
  if (built !== workflowSourceHash()) {
    return { kind: 'stale', reason: 'the prebuilt workflow bundle was built from other sources than these' };
  }
  return { kind: 'prebuilt', bundle: { codePath: PREBUILT_BUNDLE } };
}

/** The bundle a worker should run: the prebuilt one when current, else one bundled now (slower; says why). */
export async function resolveWorkflowBundle(warn: (msg: string) => void): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  const choice = prebuiltBundle();
  if (choice.kind === 'prebuilt') return choice.bundle;
  warn(`${choice.reason}: bundling the workflow code now (run \`npm run build\` to prebuild it)`);
  return bundleWorkflowCode(workflowBundleOptions());
}
