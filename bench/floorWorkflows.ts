// The benchmark's floor: a workflow that runs one no-op activity, the least a durable run can cost on this server.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<number> }>({ startToCloseTimeout: 30_000 });

export async function floorRun(): Promise<number> {
  return noop();
}
