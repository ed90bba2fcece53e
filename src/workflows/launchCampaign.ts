import {
  ActivityCancellationType,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureTypes, launchProgressQuery, type LaunchCampaignWorkflow, type LaunchState } from '../contract';

const DEFAULT_PAGE_SIZE = 200;
const DEFAULT_MAX_IN_FLIGHT = 1000;
/** Pages per workflow run before continue-as-new keeps the history short (the SDK may suggest it earlier). */
const PAGES_PER_RUN = 100;

const { startLaunchPage } = proxyActivities<Activities>({
  summary: 'Start a page of campaign runs',
  startToCloseTimeout: 5 * 60_000,
  // A page heartbeats as it goes: a worker that dies mid-page is noticed within seconds and the page retried.
  heartbeatTimeout: 10_000,
  // A stopped launch closes only once its page has stopped starting runs, so that `campaign-runner stop` can then
  // cancel every run the launch ever started.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: 1_000, maximumInterval: 30_000, nonRetryableErrorTypes: [FailureTypes.badCampaign] },
});

/**
 * Launches a campaign to an audience: pages through it in Postgres and starts each customer's run. The cursor only moves
 * after a page's runs are started, and starting is idempotent, so a crash anywhere loses and duplicates nothing.
 */
export const launchCampaign: LaunchCampaignWorkflow = async (input) => {
  const state: LaunchState = input.state ?? { cursor: null, started: 0, alreadyEnrolled: 0, pages: 0 };
  let done = false;
  setHandler(launchProgressQuery, () => ({ ...state, done }));
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;

  for (let pagesThisRun = 0; ; pagesThisRun++) {
    if (pagesThisRun >= (input.pagesPerRun ?? PAGES_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<LaunchCampaignWorkflow>({ ...input, state });
    }
    const page = await startLaunchPage({
      launchId: input.launchId,
      campaignId: input.campaignId,
      campaignVersion: input.campaignVersion,
      audience: input.audience,
      after: state.cursor,
      pageSize,
      maxInFlight: input.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      runOptions: input.runOptions,
      // Only when set: a launch started before list scopes schedules its pages with the input it always had.
      ...(input.listScope ? { listScope: input.listScope } : {}),
    });
    if (page.count > 0) {
      state.cursor = page.lastCustomerId;
      state.started += page.started;
      state.alreadyEnrolled += page.alreadyEnrolled;
      state.pages++;
      setCurrentDetails(`Started ${state.started} runs (${state.alreadyEnrolled} already enrolled), ${state.pages} pages`);
    }
    if (page.count < pageSize) break;
  }
  done = true;
  return { ...state, done };
};
