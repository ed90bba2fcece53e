// One page of a launch: read the next customer ids from Postgres and start their runs. Starting is idempotent (the
// run's workflow id is its business key), so a retried page enrols nobody twice.
import { ApplicationFailure, CancelledFailure, Context, sleep } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { audiencePage } from '../db/audience';
import type { Db } from '../db/knex';
import { startCampaignRuns } from '../runs/start';
import { FailureTypes, type LaunchPageInput, type LaunchPageResult } from '../contract';
import type { CampaignCache } from './campaignCache';

export interface LaunchDeps {
  db: Db;
  client: Client;
  /** the task queue campaign runs are started on */
  taskQueue: string;
  eagerStart?: boolean;
  campaigns: CampaignCache;
}

/**
 * Flow control: a launch keeps at most `maxInFlight` of its runs open and busy. Past what the workers take at once, more
 * open runs only queue up as task backlog, which the server writes to and reads back from its database: cost without
 * gain. A run that waits (a Wait, a Wait until, an e-mail waiting for its send window: WaitingUntil ahead) holds nothing
 * but a timer on the server, so it does not count: otherwise a Wait of three days would stall the launch for three days.
 * Polled once a second, since each look is a visibility count.
 */
async function waitForRoom(client: Client, campaignId: string, launchId: string, room: number): Promise<void> {
  for (;;) {
    const { count } = await client.workflow.count(inFlightQuery(campaignId, launchId, new Date()));
    if (count <= Math.max(room, 0)) return;
    Context.current().heartbeat();
    await sleep(1000);
  }
}

/** The visibility query of a launch's runs in flight (the benchmark measures what it costs the server). */
export function inFlightQuery(campaignId: string, launchId: string, now: Date): string {
  // A launch id names a launch within its campaign: another campaign's launch of the same name is not counted.
  return (
    `CampaignId="${campaignId}" AND LaunchId="${launchId}" AND WorkflowType="campaignRun" AND ExecutionStatus="Running"` +
    ` AND (WaitingUntil IS NULL OR WaitingUntil <= "${now.toISOString()}")`
  );
}

export function createStartLaunchPage(deps: LaunchDeps) {
  return async function startLaunchPage(input: LaunchPageInput): Promise<LaunchPageResult> {
    const campaign = await deps.campaigns.campaign(input.campaignId, input.campaignVersion);
    if (!campaign) {
      throw ApplicationFailure.nonRetryable(
        `campaign ${input.campaignId} version ${input.campaignVersion} is not stored`,
        FailureTypes.badCampaign,
      );
    }
    const list = { campaignId: input.campaignId, launchId: input.launchId, legacy: input.listScope !== 'campaign' };
    const ids = await audiencePage(deps.db, list, input.audience, input.after, input.pageSize);
    const ctx = Context.current();
    ctx.heartbeat(0);
    if (input.maxInFlight && ids.length) {
      await waitForRoom(deps.client, input.campaignId, input.launchId, input.maxInFlight - ids.length);
    }
    const runs = await startCampaignRuns(
      {
        client: deps.client,
        taskQueue: deps.taskQueue,
        eagerStart: deps.eagerStart,
        campaign,
        campaignVersion: input.campaignVersion,
        launchId: input.launchId,
        options: input.runOptions,
      },
      ids,
      20,
      (done) => ctx.heartbeat(done),
      // A stopped launch (campaign-runner stop) starts nothing more: its heartbeats carry the cancellation here.
      () => ctx.cancellationSignal.aborted,
    );
    if (ctx.cancellationSignal.aborted) throw new CancelledFailure('the launch was stopped');
    const started = runs.filter((r) => r.started).length;
    return { lastCustomerId: ids.length ? ids[ids.length - 1] : null, count: ids.length, started, alreadyEnrolled: ids.length - started };
  };
}
