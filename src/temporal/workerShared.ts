// What every worker and every replay must share: the workflow code, its interceptor modules and the data converter.
// A replay that used different ones could pass while production fails, so both read them from here.
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';

/** Written by `npm run build` (scripts/bundleWorkflows.ts); workers use it when present. */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', '..', 'workflow-bundle.js');

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/** Workflow interceptor modules bundled with the workflow code (none yet). */
export const workflowInterceptorModules: string[] = [];

/** The payload converter and codec (the SDK's default JSON converter; a codec for encryption would go here). */
export const dataConverter: DataConverter | undefined = undefined;
