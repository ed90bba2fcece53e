import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { dataConverter, workflowInterceptorModules, workflowsPath } from './workerShared';

export interface CampaignWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** a prebuilt bundle (tests build one and share it); otherwise the worker bundles src/workflows itself */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

/** The one place that decides how a campaign worker is built: used by src/worker.ts, the local stack and the tests. */
export async function createCampaignWorker(o: CampaignWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
    interceptors: { workflowModules: workflowInterceptorModules },
    dataConverter,
    ...o.tuning,
  });
}
