// cancellation-ends-run's patched branch without its closeSend: the run ends Cancelled but leaves the ledger row as it
// is. The cancelled runs recorded since the patch hold the closeSend marker and must not replay against it.
import { installSendEmail } from './sendEmailChanged';

installSendEmail('cancelled-without-close');

export { campaignRun, launchCampaign } from '../../../src/workflows';
