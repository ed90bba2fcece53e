// The workflow types, their signatures and their queries: what a client needs to start and ask a workflow without
// loading the workflow code. src/workflows/ implements these signatures (tsc checks it), and clients start them typed:
//   client.workflow.start<CampaignRunWorkflow>(WorkflowTypes.campaignRun, { args: [input], ... })
// A client that imported the workflow functions themselves would pull sandbox code into the CLI and the activities;
// a unit test checks that these names are exactly what src/workflows exports.
import { defineQuery } from '@temporalio/workflow';
import type { LaunchInput, LaunchProgress } from './launches';
import type { CampaignRunInput, CampaignRunResult, RunProgress } from './runs';

export const WorkflowTypes = { campaignRun: 'campaignRun', launchCampaign: 'launchCampaign' } as const;

/** One customer's pass through one campaign. */
export type CampaignRunWorkflow = (input: CampaignRunInput) => Promise<CampaignRunResult>;
/** Launches a campaign to an audience, page by page. */
export type LaunchCampaignWorkflow = (input: LaunchInput) => Promise<LaunchProgress>;

export const progressQuery = defineQuery<RunProgress>('progress');
export const launchProgressQuery = defineQuery<LaunchProgress>('launchProgress');
