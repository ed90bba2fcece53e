import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { dataConverter, workflowInterceptorModules, workflowsPath } from './workerShared';

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
  const workers: Worker[] = [];
  for (const role of roles) {
    workers.push(
      await Worker.create({
        connection: o.connection,
        namespace: o.namespace,
        taskQueue: role === 'runs' ? o.taskQueue : o.launchTaskQueue,
        activities: o.activities,
        ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
        interceptors: { workflowModules: workflowInterceptorModules },
        dataConverter,
        ...(role === 'runs' ? o.tuning : {}),
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
