// Where the campaign stands, from Temporal's visibility (the ledger does not know whether a run is still open): running
// while a launch or a run is open (a run that waits for days is open), stopped when the last launch or runs were
// cancelled or terminated (campaign-runner stop), finished otherwise.
import type { Client } from '@temporalio/client';
import { WorkflowTypes } from '../contract';

export type CampaignStateName = 'not started' | 'running' | 'finished' | 'stopped';

export interface CampaignState {
  state: CampaignStateName;
  /** the campaign's runs by their workflow status */
  runs: { running: number; completed: number; failed: number; cancelled: number; terminated: number; timedOut: number };
  launches: { running: number; stopped: number; total: number };
}

const RUN_STATUSES = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timedOut: 'TimedOut',
} as const;

export async function campaignState(client: Client, campaignId: string): Promise<CampaignState> {
  const scope = `CampaignId=${JSON.stringify(campaignId)}`;
  const count = async (q: string) => (await client.workflow.count(`${scope} AND ${q}`)).count;
  const runs = `WorkflowType="${WorkflowTypes.campaignRun}"`;
  const launchesOf = `WorkflowType="${WorkflowTypes.launchCampaign}"`;
  const [byStatus, launchesRunning, launchesStopped, launchesTotal] = await Promise.all([
    Promise.all(Object.values(RUN_STATUSES).map((s) => count(`${runs} AND ExecutionStatus="${s}"`))),
    count(`${launchesOf} AND ExecutionStatus="Running"`),
    count(`${launchesOf} AND ExecutionStatus IN ("Canceled","Terminated")`),
    count(launchesOf),
  ]);
  const r = Object.fromEntries(Object.keys(RUN_STATUSES).map((k, i) => [k, byStatus[i]])) as CampaignState['runs'];
  const state: CampaignStateName =
    launchesRunning > 0 || r.running > 0
      ? 'running'
      : launchesStopped > 0 || r.cancelled > 0 || r.terminated > 0
        ? 'stopped'
        : r.completed + r.failed + r.timedOut > 0
          ? 'finished'
          : 'not started';
  return { state, runs: r, launches: { running: launchesRunning, stopped: launchesStopped, total: launchesTotal } };
}
