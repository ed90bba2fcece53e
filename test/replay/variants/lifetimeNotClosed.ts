// record-lifetime-expiry's patched branch without its closeSend: the e-mail fails lifetime_expired but the ledger row
// is not closed. A run whose lifetime ran out since the patch holds the closeSend marker and must not replay against it.
import { installSendEmail } from './sendEmailChanged';

installSendEmail('lifetime-not-closed');

export { campaignRun, launchCampaign } from '../../../src/workflows';
