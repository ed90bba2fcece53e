// What the worker bundles: every workflow type.
export { campaignRun } from './campaignRun';
export { launchCampaign } from './launchCampaign';
