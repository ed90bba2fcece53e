// The sendEmail activity: decides `sent` or `skipped` by SmartCom's four rules at the moment of sending, and sends at most
// once per (run, action) through the send ledger.
import { ApplicationFailure, Context, log, sleep } from '@temporalio/activity';
import type { Db } from '../db/knex';
import type { CustomerForSend } from '../db/customers';
import { getEntry, markFailed, markSent, releaseClaim, type LedgerEntry, type LedgerMeta } from '../db/ledger';
import { claimForSend, skipClaimed } from '../db/sendState';
import { asciiEmail, normalizeEmail } from '../email/address';
import { skipReasons } from '../email/eligibility';
import {
  SendGridAuthError,
  SendGridRateLimitedError,
  SendGridRejectedError,
  SendGridUnavailableError,
  type Mailer,
  type OutgoingEmail,
} from '../email/mailer';
import { renderEmail, TemplateRenderError, type CompiledEmail } from '../email/render';
import type { TemplateContext } from '../email/types';
import { FailureTypes, type ActionActivityInput, type SendEmailResult } from '../contract';
import type { CampaignCache } from './campaignCache';

export interface SendEmailDeps {
  db: Db;
  mailer: Mailer;
  campaigns: CampaignCache;
  /** how long an attempt owns a send: longer than the SendGrid client's timeout */
  leaseMs: number;
}

const POLL_MS = 200;

function fromLedger(e: LedgerEntry): SendEmailResult | null {
  if (e.status === 'sent') return { status: 'sent', messageId: e.providerMessageId! };
  if (e.status === 'skipped') return { status: 'skipped', reasons: e.skipReasons ?? [] };
  if (e.status === 'failed') throw ApplicationFailure.nonRetryable(e.error ?? 'send failed', FailureTypes.rejected);
  return null;
}

function templateContext(c: CustomerForSend['customer'], campaign: { id: string; name: string }): TemplateContext {
  return {
    customer: {
      id: c.external_id,
      email: c.email,
      firstName: c.first_name,
      lastName: c.last_name,
      attributes: c.attributes ?? {},
      tags: c.tags ?? [],
    },
    campaign,
  };
}

export function createSendEmail(deps: SendEmailDeps) {
  const { db, mailer, campaigns, leaseMs } = deps;

  return async function sendEmail(input: ActionActivityInput): Promise<SendEmailResult> {
    const meta: LedgerMeta = { ...input };
    const loaded = await campaigns.action(input.campaignId, input.campaignVersion, input.actionId, 'sendEmail');
    if (!loaded) {
      throw ApplicationFailure.nonRetryable(
        `campaign ${input.campaignId} version ${input.campaignVersion} has no sendEmail action ${input.actionId}`,
        FailureTypes.badCampaign,
      );
    }
    const settings = loaded.action.settings;

    // Bounded: each pass either returns, or waits out another attempt's lease, which ends.
    for (;;) {
      // The claim and the customer come together; eligibility is decided from the customer as they are now.
      const { claimed, found } = await claimForSend(db, meta, leaseMs, settings.categoryCode);
      if (!claimed) {
        // Another attempt finished this send (return its result) or owns it: an earlier attempt, timed out by
        // Temporal but still running. Wait for its result, or for its lease to run out.
        const existing = await getEntry(db, meta);
        const done = existing && fromLedger(existing);
        if (done) return done;
        Context.current().heartbeat();
        await sleep(POLL_MS);
        continue;
      }

      const reasons = found
        ? skipReasons({
            emailChannelActive: found.emailChannelActive,
            email: found.customer.email,
            emailQualityCode: found.customer.email_quality_code,
            categorySubscribed: found.categorySubscribed,
          })
        : (['customer_not_found'] as const).slice();
      if (reasons.length > 0) {
        if (await skipClaimed(db, claimed, reasons)) return { status: 'skipped', reasons };
        continue; // our lease ran out and another attempt took the row over: look again
      }

      const customer = found!.customer;
      const to = asciiEmail(customer.email!.trim()); // an internationalised domain goes out in its xn-- form
      // A BCC equal to the recipient would be a duplicate inside the personalization, which SendGrid rejects.
      const bcc = (settings.bcc ?? []).filter((b) => normalizeEmail(b) !== normalizeEmail(to));
      const rendered = await renderOrFail(
        loaded.prepared.email,
        templateContext(customer, { id: loaded.campaign.id, name: loaded.campaign.name }),
        claimed.id,
        input,
      );
      const message: OutgoingEmail = {
        to: { email: to, name: [customer.first_name, customer.last_name].filter(Boolean).join(' ') || undefined },
        bcc,
        from: settings.from,
        replyTo: settings.replyTo,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        categories: settings.categoryCode ? [settings.categoryCode] : undefined,
        customArgs: { send_key: `${input.runKey}/${input.actionId}`, campaign_id: input.campaignId, action_id: input.actionId },
      };

      try {
        const { messageId } = await mailer.send(message);
        await markSent(db, claimed.id, messageId, bcc.length);
        return { status: 'sent', messageId };
      } catch (err) {
        throw await failureFor(err, claimed.id, input);
      }
    }
  };

  /** A template that cannot render for this customer fails the action for good: another attempt renders the same. */
  async function renderOrFail(email: CompiledEmail, ctx: TemplateContext, ledgerId: string, input: ActionActivityInput) {
    try {
      return await renderEmail(email, ctx);
    } catch (err) {
      if (!(err instanceof TemplateRenderError)) throw err;
      const message = `action ${input.actionId}: ${err.message}`; // names the action; never the customer's data
      await markFailed(db, ledgerId, message);
      throw ApplicationFailure.create({ message, type: FailureTypes.rejected, nonRetryable: true });
    }
  }

  async function failureFor(err: unknown, ledgerId: string, input: ActionActivityInput): Promise<Error> {
    if (err instanceof SendGridRejectedError) {
      await markFailed(db, ledgerId, err.message);
      return ApplicationFailure.create({ message: err.message, type: FailureTypes.rejected, nonRetryable: true, details: [err.messages] });
    }
    if (err instanceof SendGridRateLimitedError) {
      await releaseClaim(db, ledgerId, err.message);
      const waitMs = err.resetAtMs ? Math.max(err.resetAtMs - Date.now(), 1000) : 5000;
      return ApplicationFailure.create({ message: err.message, type: FailureTypes.rateLimited, nextRetryDelay: waitMs });
    }
    if (err instanceof SendGridAuthError) {
      await releaseClaim(db, ledgerId, err.message);
      // Loud on purpose: nothing is sent until an operator fixes the key or the sender identity.
      log.error(`SENDGRID CREDENTIALS REFUSED: ${err.message}. Retrying until fixed.`, {
        campaignId: input.campaignId,
        actionId: input.actionId,
        customerId: input.customerId,
      });
      return ApplicationFailure.create({ message: err.message, type: FailureTypes.auth });
    }
    if (err instanceof SendGridUnavailableError) {
      await releaseClaim(db, ledgerId, err.message);
      if (err.maybeAccepted) {
        log.warn('SendGrid gave no answer; the retry may duplicate the message (send_key is in custom_args)', {
          actionId: input.actionId,
          customerId: input.customerId,
        });
      }
      return ApplicationFailure.create({ message: err.message, type: FailureTypes.unavailable });
    }
    // Anything else (database down, a bug): leave the lease to run out and let Temporal retry.
    return err instanceof Error ? err : new Error(String(err));
  }
}
