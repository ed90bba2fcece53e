import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { existsSync } from 'node:fs';
import { dataConverter, PREBUILT_BUNDLE, workflowInterceptorModules, workflowsPath } from './workerShared';

/**
 * Campaign runs and launches poll separate task queues, so that a launch enrolling a large audience never delays the
 * sends of runs already going, and each can be scaled (or stopped) on its own.
 */
export type WorkerRole = 'runs' | 'launches';

export interface CampaignWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  launchTaskQueue: string;
  activities: Activities;
  roles?: WorkerRole[];
  /** a prebuilt bundle (tests build one and share it); otherwise the worker bundles src/workflows itself */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

export interface CampaignWorkers {
  workers: Worker[];
  /** resolves when every worker has shut down (on SIGINT/SIGTERM, or after shutdown()) */
  run(): Promise<void>;
  shutdown(): void;
}

/** The one place that decides how campaign workers are built: used by src/worker.ts, the local stack and the tests. */
export async function createCampaignWorkers(o: CampaignWorkerOptions): Promise<CampaignWorkers> {
  const roles = o.roles ?? ['runs', 'launches'];
  // One bundle for both workers: the one `npm run build` made, else one built here (slower, and webpack's garbage
  // stays in this process's heap).
  const workflowBundle =
    o.workflowBundle ??
    (existsSync(PREBUILT_BUNDLE) ? { codePath: PREBUILT_BUNDLE } : await bundleWorkflowCode({ workflowsPath: workflowsPath(), workflowInterceptorModules }));
  const workers: Worker[] = [];
  for (const role of roles) {
    workers.push(
      await Worker.create({
        connection: o.connection,
        namespace: o.namespace,
        taskQueue: role === 'runs' ? o.taskQueue : o.launchTaskQueue,
        activities: o.activities,
        workflowBundle,
        interceptors: { workflowModules: workflowInterceptorModules },
        dataConverter,
        // Launches are few and long: a small cache leaves the memory to campaign runs.
        ...(role === 'runs' ? o.tuning : { maxCachedWorkflows: 20, maxConcurrentActivityTaskExecutions: 4 }),
      }),
    );
  }
  return {
    workers,
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => workers.forEach((w) => w.shutdown()),
  };
}
