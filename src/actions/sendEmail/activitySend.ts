// The sendEmail activity: decides `sent` or `skipped` by SmartCom's four rules at the moment of sending, and sends at most
// once per (campaign, customer, action) through the send ledger, under retries, worker deaths, lost answers and
// cancellation. What it records is the truth about SendGrid: a request that may have reached SendGrid is never dropped,
// so a message SendGrid took is always recorded `sent`.
import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import { FailureTypes, waitDurationMs, type ActionActivityInput, type SendEmailInput, type SendEmailResult } from '../../contract';
import { DEFAULT_UNKNOWN_DELIVERY, DEFAULT_UNKNOWN_DELIVERY_WAIT, type UnknownDelivery } from '../../campaigns/types';
import type { CustomerForSend } from '../../db/customers';
import type { Db } from '../../db/knex';
import {
  getById,
  getSend,
  markCancelled,
  markFailed,
  markSent,
  markUnknown,
  releaseClaim,
  releaseMaybeAccepted,
  type ClaimedRow,
  type LedgerEntry,
  type LedgerMeta,
} from '../../db/ledger';
import { claimForSend, skipClaimed } from '../../db/sendState';
import { decideRules } from '../../email/ruleInputs';
import {
  SendGridAuthError,
  SendGridMisconfiguredError,
  SendGridRateLimitedError,
  SendGridRejectedError,
  SendGridUnavailableError,
  type Mailer,
} from '../../email/mailer';
import { TemplateRenderError } from '../../email/render';
import type { UnsubscribeLinkConfig } from '../../email/unsubscribeToken';
import type { CampaignCache, LoadedAction } from '../../activities/campaignCache';
import { composeEmail, type ComposedEmail } from './activityCompose';

export { templateContext } from './activityCompose';

export interface SendEmailDeps {
  db: Db;
  mailer: Mailer;
  campaigns: CampaignCache;
  /** how long an attempt owns a send: longer than the SendGrid client's timeout */
  leaseMs: number;
  /** pause between looks at a send another attempt owns (default 200 ms) */
  pollMs?: number;
  /** tries of the write that records an accepted message before the attempt gives up (default 4) */
  recordTries?: number;
  /**
   * Where every e-mail's unsubscribe link points and the secret that signs its token. Lives in the worker's
   * configuration only: the secret never enters a workflow input or history.
   */
  unsubscribe?: UnsubscribeLinkConfig;
  /** the time templates render at ('now' in date filters); default the system clock (tests fix it) */
  clock?: () => Date;
}

/** What an attempt leaves in its heartbeat as soon as SendGrid accepted: the next attempt records it instead of sending. */
export interface AcceptedDetails {
  acceptedMessageId: string;
  ledgerId: string;
  bccCount: number;
}

function acceptedEarlier(details: unknown): AcceptedDetails | null {
  const d = details as Partial<AcceptedDetails> | undefined;
  return d && typeof d.acceptedMessageId === 'string' && typeof d.ledgerId === 'string' ? (d as AcceptedDetails) : null;
}

/** What a row that another attempt (or run) finished says; null while it is still being sent. */
function fromLedger(e: LedgerEntry, input: SendEmailInput, unknown: () => SendEmailResult): SendEmailResult | null {
  if (e.status === 'sent') return { status: 'sent', messageId: e.providerMessageId! };
  if (e.status === 'skipped') return { status: 'skipped', reasons: e.skipReasons ?? [] };
  // A run that waits for SendGrid's word waits on this row too; a run from before that cannot, and holds.
  if (e.status === 'unknown' && input.awaitWord) return unknown();
  if (e.status === 'failed' || e.status === 'unknown') {
    const type =
      e.status === 'unknown' || e.failureReason === 'delivery_unknown'
        ? FailureTypes.deliveryUnknown
        : e.failureReason === 'lifetime_expired'
          ? FailureTypes.lifetimeExpired
          : FailureTypes.rejected;
    throw ApplicationFailure.create({ message: e.error ?? 'send failed', type, nonRetryable: true });
  }
  if (e.status === 'cancelled') throw new CancelledFailure('the send was cancelled');
  return null;
}

/** The run asked this action to stop (as opposed to Temporal giving up on one attempt, or the worker shutting down). */
function cancelledByRun(ctx: Context): boolean {
  return ctx.cancellationDetails?.cancelRequested === true;
}

/** When the message lifetime (the activity's schedule-to-close timeout) ends, or undefined when there is none. */
function lifetimeEnd(ctx: Context): number | undefined {
  const { scheduledTimestampMs, scheduleToCloseTimeoutMs } = ctx.info;
  return scheduleToCloseTimeoutMs ? scheduledTimestampMs + scheduleToCloseTimeoutMs : undefined;
}

export function createSendEmail(deps: SendEmailDeps) {
  const { db, mailer, campaigns, leaseMs } = deps;
  const pollMs = deps.pollMs ?? 200;

  return async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    const ctx = Context.current();
    // 1. An earlier attempt heard SendGrid's 202 but could not record it (the database was away): record it now and
    // never send again.
    const accepted = acceptedEarlier(ctx.info.heartbeatDetails);
    if (accepted) {
      ctx.heartbeat(accepted); // keep it for the next attempt, should this write fail too
      return recordSent(accepted);
    }

    const loaded = await campaigns.action(input.campaignId, input.campaignVersion, input.actionId, 'sendEmail');
    if (!loaded) {
      throw ApplicationFailure.nonRetryable(
        `campaign ${input.campaignId} version ${input.campaignVersion} has no sendEmail action ${input.actionId}`,
        FailureTypes.badCampaign,
      );
    }
    const settings = loaded.action.settings;
    const policy: UnknownDelivery = loaded.campaign.unknownDelivery ?? DEFAULT_UNKNOWN_DELIVERY;
    const waitMs = waitDurationMs(loaded.campaign.unknownDeliveryWait ?? DEFAULT_UNKNOWN_DELIVERY_WAIT);
    const unknown = (): SendEmailResult => ({ status: 'unknown', waitMs, policy });
    const meta: LedgerMeta = {
      runKey: input.runKey,
      campaignId: input.campaignId,
      campaignVersion: input.campaignVersion,
      actionId: input.actionId,
      customerId: input.customerId,
      workflowRunId: ctx.info.workflowExecution?.runId ?? '',
    };

    // Bounded: each pass either returns, or waits out another attempt's lease, which ends.
    for (;;) {
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('the send was cancelled');
      // The claim and the customer come together; eligibility is decided from the customer as they are now.
      const { claimed, found } = await claimForSend(db, meta, leaseMs, settings.categoryCode, { resendUnknown: input.resendUnknown });
      if (!claimed) {
        // Another attempt finished this send (return its result) or owns it: an earlier attempt, timed out by
        // Temporal but still running. Wait for its result, or for its lease to run out. The row may be another
        // run's of the same campaign and customer (started under another workflow id): its outcome is this run's.
        const existing = await getSend(db, meta);
        const done = existing && fromLedger(existing, input, unknown);
        if (done) return done;
        ctx.heartbeat();
        await ctx.sleep(pollMs); // throws CancelledFailure when the run is cancelled
        continue;
      }

      // The row was in flight in an attempt that died: SendGrid may have the message already. A run that waits for
      // SendGrid's word waits for it (and resends only after silence, if the campaign resends); an older run holds.
      if (claimed.claimedInFlight && claimed.claimedFrom !== 'unknown') {
        const why = 'an earlier attempt may have sent it before it stopped';
        if (input.awaitWord) {
          if (await markUnknown(db, claimed, `SendGrid may have taken the message (${why})`)) return unknown();
          continue; // another attempt took the row over meanwhile: look again
        }
        if (policy === 'hold') throw await deliveryUnknown(claimed, why);
      }

      // The row this attempt owns, and once the rules said send, what they saw: the write that ends or releases the
      // attempt records it (db/ledger.ts ClaimedRow), so a send costs no write of its own for the decision. The price: a
      // worker that dies while its request is out leaves no decision on the row (`why` then shows none for that send).
      let owner: ClaimedRow = claimed;
      const ready = await prepareOrRelease(claimed, async () => {
        // The decision and what the rules saw (for `campaign-runner why`; email/ruleInputs.ts), recorded on the row.
        const { reasons, inputs } = decideRules(found?.facts ?? null, settings.categoryCode ?? null);
        if (reasons.length > 0) return { skipped: (await skipClaimed(db, claimed, reasons, inputs)) ? reasons : null };
        owner = { ...claimed, decisionInputs: inputs };
        return { message: await compose(found!, loaded, owner, input) };
      });
      if ('skipped' in ready) {
        if (ready.skipped) return { status: 'skipped', reasons: ready.skipped };
        continue; // our lease ran out and another attempt took the row over: look again
      }
      const { message, bccCount } = ready.message;

      // Last looks before the message leaves: a cancelled run sends nothing, and nothing goes out after the lifetime.
      if (ctx.cancellationSignal.aborted) {
        // The run was cancelled: the send ends here. Otherwise Temporal gave up on this attempt (timed out, worker
        // shutting down): leave the send to the next attempt.
        if (cancelledByRun(ctx)) await markCancelled(db, owner, 'cancelled');
        else await releaseClaim(db, owner, 'attempt stopped before sending');
        throw new CancelledFailure('the send was stopped before it went out');
      }
      const end = lifetimeEnd(ctx);
      if (end !== undefined && Date.now() >= end) {
        await markFailed(db, owner, 'lifetime_expired', 'message lifetime ran out');
        throw ApplicationFailure.create({ message: 'message lifetime ran out', type: FailureTypes.lifetimeExpired, nonRetryable: true });
      }

      // From here the request may reach SendGrid, which keeps any request it received in full whatever the client does
      // next: nothing aborts it. A cancellation of the run waits for the answer (bounded by the client's timeout, which
      // the lease outlasts) and records what it says. Heartbeats while the request is out carry a cancellation to
      // this attempt and tell Temporal it is alive.
      let messageId: string;
      const ticker = setInterval(() => ctx.heartbeat(), 1000);
      try {
        ({ messageId } = await mailer.send(message));
      } catch (err) {
        return await afterFailure(err, owner, input, policy, unknown);
      } finally {
        clearInterval(ticker);
      }
      // From here on the message is SendGrid's. Should the write that records it fail, recordSent leaves this in the
      // attempt's heartbeat details first, and the next attempt records the send instead of repeating it.
      return recordSent({ acceptedMessageId: messageId, ledgerId: claimed.id, bccCount }, owner.decisionInputs);
    }
  };

  /**
   * Runs the steps between the claim and the send. If one throws (a database blip while recording a skip, a bug), the
   * claim is given up as not in flight, so that the retry does not take the message for possibly sent; if even that
   * write fails, the row stays in flight and the retry treats it as possibly sent, which errs on the safe side.
   */
  async function prepareOrRelease<T>(claimed: LedgerEntry, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      await releaseClaim(db, claimed, err instanceof Error ? err.message : String(err)).catch(() => undefined);
      throw err;
    }
  }

  /**
   * The message for this customer, rendered now (composeEmail: the same code as `campaign-runner preview`). A template
   * that cannot render for this customer fails the action for good: another attempt renders the same.
   */
  async function compose(
    found: CustomerForSend,
    loaded: LoadedAction<'sendEmail'>,
    claimed: ClaimedRow,
    input: ActionActivityInput,
  ): Promise<ComposedEmail> {
    const { runKey, campaignId, actionId } = input;
    const now = deps.clock?.() ?? new Date();
    try {
      return await composeEmail({ found, loaded, runKey, campaignId, actionId, unsubscribe: deps.unsubscribe, now });
    } catch (err) {
      if (!(err instanceof TemplateRenderError)) throw err;
      const message = `action ${input.actionId}: ${err.message}`; // names the action; never the customer's data
      await markFailed(db, claimed, 'template', message);
      throw ApplicationFailure.create({ message, type: FailureTypes.rejected, nonRetryable: true });
    }
  }

  /**
   * Records an accepted message, retrying the write within the attempt before leaving it to the next one, and answers
   * what the row then says: `sent`, with this message's id, or with the id an event or another attempt recorded first.
   * Only a failed write heartbeats the accepted message, for the next attempt: a heartbeat is a write on the Temporal
   * server (its mutable state), which the write that succeeds at once (nearly every send) need not pay. A worker that
   * dies between SendGrid's 202 and that write leaves the row in flight, as one that dies while the request is out
   * does, and the next attempt treats it as possibly sent (it waits for SendGrid's word, holds or resends as marked).
   * `decisionInputs`: what the rules saw when this attempt decided to send (none when a later attempt records the
   * message from an earlier one's heartbeat: the row keeps whatever was recorded).
   */
  async function recordSent(a: AcceptedDetails, decisionInputs?: unknown): Promise<SendEmailResult> {
    const tries = deps.recordTries ?? 4;
    for (let i = 1; ; i++) {
      try {
        if (await markSent(db, a.ledgerId, a.acceptedMessageId, a.bccCount, decisionInputs))
          return { status: 'sent', messageId: a.acceptedMessageId };
        const row = await getById(db, a.ledgerId);
        if (row?.status === 'sent') return { status: 'sent', messageId: row.providerMessageId! };
        throw new Error(`ledger row ${a.ledgerId} is ${row?.status ?? 'gone'}, not sent, after SendGrid accepted its message`);
      } catch (err) {
        if (i === 1) Context.current().heartbeat(a);
        if (i >= tries) throw err;
        log.warn('could not record an accepted e-mail; trying again', { attempt: i });
        await new Promise((r) => setTimeout(r, 250 * 2 ** i));
      }
    }
  }

  async function deliveryUnknown(claimed: ClaimedRow, why: string): Promise<Error> {
    const message = `delivery_unknown: SendGrid may have taken the message (${why}); the campaign holds unknown deliveries, so it is not sent again`;
    await markFailed(db, claimed, 'delivery_unknown', message);
    return ApplicationFailure.create({ message, type: FailureTypes.deliveryUnknown, nonRetryable: true });
  }

  /**
   * SendGrid's answer was not a 202. Records what it means and answers `unknown`, or throws the failure Temporal acts on.
   * A run cancelled while the request was out ends its send here: `cancelled` when SendGrid certainly did not take the
   * message, `cancelled_in_flight` when it may have (an event may still show it did).
   */
  async function afterFailure(
    err: unknown,
    claimed: ClaimedRow,
    input: SendEmailInput,
    policy: UnknownDelivery,
    unknown: () => SendEmailResult,
  ): Promise<SendEmailResult> {
    const ctx = Context.current();
    const ids = { campaignId: input.campaignId, actionId: input.actionId, customerId: input.customerId };
    if (err instanceof SendGridRejectedError) {
      await markFailed(db, claimed, 'rejected', err.message);
      throw ApplicationFailure.create({ message: err.message, type: FailureTypes.rejected, nonRetryable: true, details: [err.messages] });
    }
    const maybeAccepted = err instanceof SendGridUnavailableError && err.maybeAccepted;
    const known = [SendGridRateLimitedError, SendGridAuthError, SendGridMisconfiguredError, SendGridUnavailableError];
    if (cancelledByRun(ctx) && known.some((E) => err instanceof E)) {
      await markCancelled(db, claimed, maybeAccepted ? 'cancelled_in_flight' : 'cancelled');
      throw new CancelledFailure('the run was cancelled while its request was out; SendGrid did not answer 202');
    }
    if (err instanceof SendGridRateLimitedError) {
      await releaseClaim(db, claimed, err.message);
      const waitMs = err.resetAtMs ? Math.max(err.resetAtMs - Date.now(), 1000) : 5000;
      throw ApplicationFailure.create({ message: err.message, type: FailureTypes.rateLimited, nextRetryDelay: waitMs });
    }
    if (err instanceof SendGridAuthError || err instanceof SendGridMisconfiguredError) {
      await releaseClaim(db, claimed, err.message);
      // Loud on purpose: nothing is sent until an operator fixes the key, the sender identity or the base URL.
      const what = err instanceof SendGridAuthError ? 'SENDGRID CREDENTIALS REFUSED' : 'SENDGRID ENDPOINT MISCONFIGURED';
      log.error(`${what}: ${err.message}. Retrying until fixed.`, ids);
      throw ApplicationFailure.create({
        message: err.message,
        type: err instanceof SendGridAuthError ? FailureTypes.auth : FailureTypes.misconfigured,
      });
    }
    if (err instanceof SendGridUnavailableError) {
      if (!err.maybeAccepted) {
        await releaseClaim(db, claimed, err.message);
      } else if (input.awaitWord) {
        // The run waits for SendGrid's word on this send; an event may settle the row even before it does.
        if (await markUnknown(db, claimed, `SendGrid may have taken the message (${err.message})`)) return unknown();
        const row = await getById(db, claimed.id);
        const settled = row && fromLedger(row, input, unknown);
        if (settled) return settled;
      } else if (policy === 'hold') {
        throw await deliveryUnknown(claimed, err.message);
      } else {
        await releaseMaybeAccepted(db, claimed, err.message);
        log.warn('SendGrid may have taken the message; the campaign resends unknown deliveries (marked possible_duplicate)', ids);
      }
      throw ApplicationFailure.create({ message: err.message, type: FailureTypes.unavailable });
    }
    // Anything else (database down, a bug): leave the lease to run out and let Temporal retry. The row stays in flight,
    // so whoever takes it over treats the message as possibly sent.
    throw err instanceof Error ? err : new Error(String(err));
  }
}
