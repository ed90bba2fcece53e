// An `unknown` answer (SendGrid may have the message) fails the e-mail at once, in a run of today's generation: runs
// recorded since run-2026-12 that waited for SendGrid's word (a timer, a readSend or closeSend, maybe a resend) must not
// replay against it; runs whose send was answered at once are not concerned.
import { installSendEmail } from './sendEmailChanged';

installSendEmail('word-not-awaited');

export { campaignRun, launchCampaign } from '../../../src/workflows';
