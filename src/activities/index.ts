// createActivities(deps): every activity gets its dependencies here, so tests and the worker wire the same code to
// different databases and SendGrid endpoints. Those of each action type come from its module (src/actions/activities.ts);
// these are the ones the run and the launch share.
import type { Client } from '@temporalio/client';
import { createActionActivities, type ActionActivityDeps } from '../actions/activities';
import { CampaignCache } from './campaignCache';
import { createPrepareRun } from './prepareRun';
import { createRecordFlow } from './recordFlow';
import { createStartLaunchPage } from './startLaunchPage';

export interface ActivityDeps extends Omit<ActionActivityDeps, 'campaigns'> {
  /** launches start runs through the client, on this task queue */
  client: Client;
  taskQueue: string;
  /**
   * Ask the server to hand each started run's first workflow task straight to this process's runs worker. Needs `client`
   * to be built on the worker's NativeConnection (src/worker.ts); the server falls back to the task queue when no slot
   * is free.
   */
  eagerStart?: boolean;
}

export function createActivities(deps: ActivityDeps) {
  const campaigns = new CampaignCache(deps.db);
  return {
    ...createActionActivities({ ...deps, campaigns }),
    prepareRun: createPrepareRun({ campaigns }),
    recordFlow: createRecordFlow({ db: deps.db }),
    startLaunchPage: createStartLaunchPage({
      db: deps.db,
      client: deps.client,
      taskQueue: deps.taskQueue,
      eagerStart: deps.eagerStart,
      campaigns,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
