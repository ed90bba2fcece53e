// The code before cancellation-ends-run: a cancelled send fails the e-mail and the run completes. Runs recorded since
// the patch that were cancelled (patch marker, closeSend, Cancelled) must not replay against it; no other run is
// concerned.
import { installSendEmail } from './sendEmailChanged';

installSendEmail('cancellation-swallowed');

export { campaignRun, launchCampaign } from '../../../src/workflows';
