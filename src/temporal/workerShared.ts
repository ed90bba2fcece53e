// What every worker and every replay must share: the workflow code, its interceptor modules and the data converter.
// A replay that used different ones could pass while production fails, so both read them from here.
import type { DataConverter } from '@temporalio/common';

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/** Workflow interceptor modules bundled with the workflow code (none yet). */
export const workflowInterceptorModules: string[] = [];

/** The payload converter and codec (the SDK's default JSON converter; a codec for encryption would go here). */
export const dataConverter: DataConverter | undefined = undefined;
