// What every worker and every replay must share: the workflow code, its interceptor modules and the data converter.
// A replay that used different ones could pass while production fails, so both read them from here.
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { BundleOptions } from '@temporalio/worker';

/** Written by `npm run build` (scripts/bundleWorkflows.ts); workers use it when present. */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', '..', 'workflow-bundle.js');

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/** Workflow interceptor modules bundled with the workflow code (none yet). */
export const workflowInterceptorModules: string[] = [];

/**
 * The SDK's default JSON payload converter (a codec for encryption would go here) and our failure converter, which
 * keeps host paths and message text out of the stack traces that failures carry into histories (failureConverter.ts).
 */
export const dataConverter: DataConverter = { failureConverterPath: require.resolve('./failureConverter') };

/**
 * What every workflow bundle is built with: a worker given a bundle uses the failure converter compiled into it for
 * workflow code, and its own `dataConverter` only for activities. `workflowsPath` defaults to the production workflows.
 */
export function workflowBundleOptions(o: { workflowsPath?: string } = {}): BundleOptions {
  return {
    workflowsPath: o.workflowsPath ?? workflowsPath(),
    workflowInterceptorModules,
    failureConverterPath: dataConverter.failureConverterPath,
  };
}
