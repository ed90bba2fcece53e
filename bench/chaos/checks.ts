// What a chaos run must show at the end, judged from what it collected: Temporal's visibility and the runs' results (from
// their histories), the send ledger with every decision its claims made, the SendGrid fake's accepted messages and which
// of them its events reported to the service, the changes made to customers and when, and the campaign report. Pure, so that each check is tested on its own
// (test/unit/chaosChecks.test.ts): a check that cannot fail proves nothing.
import { isDeepStrictEqual } from 'node:util';
import type { UnknownDelivery } from '../../src/campaigns/types';
import type { ActionOutcome, CampaignRunResult, SkipReason } from '../../src/contract';
import type { CustomerLine } from '../../src/db/customerImport';
import type { ActionFigures, CampaignReport } from '../../src/report/campaignReport';
import type { AppliedChange } from './changes';
import { applyChange, CATEGORY_A, CATEGORY_B, expectedReasons } from './customers';

export interface LedgerRow {
  run_key: string;
  action_id: string;
  customer_id: string;
  status: string;
  skip_reasons: SkipReason[] | null;
  provider_message_id: string | null;
  possible_duplicate: boolean;
  failure_reason: string | null;
  /** the event that proved SendGrid took a send whose answer was lost */
  confirmed_by_event: string | null;
  duplicate_confirmed: boolean;
}

export interface FakeMessage {
  sendKey: string;
  messageId: string;
  /** epoch ms */
  receivedAt: number;
}

export interface RunRecord {
  customerId: string;
  /** visibility's status: COMPLETED, RUNNING, FAILED, ... */
  status: string;
  /** from the run's history; absent unless it completed */
  result?: CampaignRunResult;
}

export interface ChaosEvidence {
  unknownDelivery: UnknownDelivery;
  campaignId: string;
  /** the action ids: e-mail A, the tag, e-mail B */
  actions: { a: string; tag: string; b: string };
  customers: CustomerLine[];
  changes: AppliedChange[];
  runs: RunRecord[];
  launchStatus: string;
  ledger: LedgerRow[];
  /** every eligibility decision a claim made (the ledger's decided_at, recorded by a trigger), epoch ms */
  decisions: { sendKey: string; at: number }[];
  messages: FakeMessage[];
  /**
   * The message ids of which the fake's events reached the service (a batch it answered 2xx, after applying it): proof
   * of SendGrid's word. A message absent here met SendGrid's silence, as far as the service could know.
   */
  reported: Set<string>;
  report: CampaignReport;
  /** customers that still exist, and those of them that carry the campaign's tag */
  existing: Set<string>;
  tagged: Set<string>;
  /** the history address scan: histories searched, and one line per hit (no address in it) */
  histories: number;
  historyHits: string[];
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** how many things failed the check */
  failures: number;
  /** the first few, by customer id (never an address) */
  examples: string[];
}

export interface ChaosFigures {
  customers: number;
  runsEnrolled: number;
  runsClosed: number;
  lostRuns: number;
  messagesAccepted: number;
  duplicateMessages: number;
  possibleDuplicateSends: number;
  /** sends (send keys) with at least one message the fake accepted, and those of them none of whose events reached the service */
  acceptedSends: number;
  neverReportedSends: number;
  /** ledger rows `sent`; of them, confirmed by an event after SendGrid's answer was lost (`confirmed_by_event`) */
  ledgerSent: number;
  confirmedLate: number;
  /** of those, the ones the run had already given up on (its result says delivery_unknown; the ledger, later, sent) */
  settledAfterRun: number;
  /** ledger rows still failed with delivery_unknown (SendGrid's silence), and sends marked duplicate_confirmed */
  stillUnknown: number;
  duplicatesConfirmed: number;
  outcomes: Record<'sent' | 'skipped' | 'failed' | 'not_run', number>;
}

const MAX_EXAMPLES = 5;

/** The report's figures that come from the ledger (the delivery figures come from SendGrid's webhook, not run here). */
export type LedgerFigures = Omit<ActionFigures, 'delivery'>;

class Check {
  private readonly found: string[] = [];
  constructor(readonly name: string) {}
  fail(example: string): void {
    this.found.push(example);
  }
  result(): CheckResult {
    return { name: this.name, ok: this.found.length === 0, failures: this.found.length, examples: this.found.slice(0, MAX_EXAMPLES) };
  }
}

const sendKey = (runKey: string, actionId: string) => `${runKey}/${actionId}`;
const runKeyOf = (campaignId: string, customerId: string) => `campaign-run:${campaignId}:${customerId}`;
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(x);
  }
  return out;
}

export function checkChaos(e: ChaosEvidence): { checks: CheckResult[]; figures: ChaosFigures } {
  const resend = e.unknownDelivery === 'resend';
  const runs = new Map(e.runs.map((r) => [r.customerId, r]));
  const ledger = new Map(e.ledger.map((r) => [sendKey(r.run_key, r.action_id), r]));
  const messages = groupBy(e.messages, (m) => m.sendKey);
  const decisions = groupBy(e.decisions, (d) => d.sendKey);
  const changes = new Map(e.changes.map((c) => [c.customerId, c]));
  const emails = [
    { id: e.actions.a, category: CATEGORY_A },
    { id: e.actions.b, category: CATEGORY_B },
  ];

  // Runs enrolled = customers in the audience; every run closed (completed), and the launch too.
  const enrolled = new Check('runs enrolled = customers in the audience (lost runs 0)');
  for (const c of e.customers) if (!runs.has(c.id)) enrolled.fail(`${c.id}: no run`);
  const audience = new Set(e.customers.map((c) => c.id));
  for (const r of e.runs) if (!audience.has(r.customerId)) enrolled.fail(`${r.customerId}: a run for a customer outside the audience`);
  const closed = new Check('every run closed (completed), and the launch');
  for (const r of e.runs)
    if (r.status !== 'COMPLETED' || !r.result) closed.fail(`${r.customerId}: ${r.status}${r.result ? '' : ', no result'}`);
  if (e.launchStatus !== 'COMPLETED') closed.fail(`the launch: ${e.launchStatus}`);

  // Duplicates per send_key: none when unknown deliveries are held; with resend, only on sends the ledger marked.
  const duplicates = new Check(
    resend ? 'duplicate messages only on sends the ledger marked possible_duplicate' : 'no duplicate message (unknownDelivery hold)',
  );
  let duplicateMessages = 0;
  for (const [key, ms] of messages) {
    const row = ledger.get(key);
    if (!row) duplicates.fail(`${key}: ${ms.length} message(s) for a send the ledger does not know`);
    if (ms.length < 2) continue;
    duplicateMessages += ms.length - 1;
    if (!resend) duplicates.fail(`${key}: ${ms.length} messages`);
    else if (!row?.possible_duplicate) duplicates.fail(`${key}: ${ms.length} messages, not marked possible_duplicate`);
    // Two messages that SendGrid's events both reported went out twice for certain: the ledger must say so.
    else if (ms.filter((m) => e.reported.has(m.messageId)).length > 1 && !row.duplicate_confirmed)
      duplicates.fail(`${key}: ${ms.length} messages reported by events, not marked duplicate_confirmed`);
  }

  // What SendGrid took is `sent`: the ledger's sent sends are exactly the sends the fake accepted a message for, less only
  // those none of whose events reached the service (SendGrid's silence after a lost answer: the stated exception).
  const truth = new Check("ledger's sent = the fake's accepted sends, less only those it never reported an event for");
  let neverReported = 0;
  for (const [key, ms] of messages) {
    const row = ledger.get(key);
    const ids = new Set(ms.map((m) => m.messageId));
    const heard = ms.some((m) => e.reported.has(m.messageId));
    if (!heard) neverReported++;
    if (!row) continue; // a message for a send the ledger does not know: the duplicates check names it
    if (row.status === 'sent') {
      if (!ids.has(row.provider_message_id ?? '')) truth.fail(`${key}: sent as ${row.provider_message_id}, which the fake never accepted`);
    } else if (heard) truth.fail(`${key}: the fake accepted it and its events reached the service, but the ledger has ${describeRow(row)}`);
    else if (!(row.status === 'failed' && row.failure_reason === 'delivery_unknown'))
      truth.fail(`${key}: the fake accepted it (no event reported), but the ledger has ${describeRow(row)}`);
  }
  for (const row of e.ledger)
    if (row.status === 'sent' && !messages.has(sendKey(row.run_key, row.action_id)))
      truth.fail(`${sendKey(row.run_key, row.action_id)}: sent in the ledger, but the fake accepted no message for it`);
  const ledgerSent = e.ledger.filter((r) => r.status === 'sent').length;
  const unreportedNotSent = [...messages.keys()].filter((k) => {
    const row = ledger.get(k);
    return row?.status !== 'sent' && !messages.get(k)!.some((m) => e.reported.has(m.messageId));
  }).length;
  if (ledgerSent !== messages.size - unreportedNotSent)
    truth.fail(`ledger sent ${ledgerSent}, fake accepted ${messages.size} sends, ${unreportedNotSent} of them unreported and not sent`);

  // No message to a customer who was ineligible when its send was decided. A message's decision is the last one its
  // send's claims made before the fake took it (+1 ms: the fake's clock is read to the ms).
  const ineligible = new Check('no message to a customer ineligible at the moment of sending');
  for (const c of e.customers) {
    const change = changes.get(c.id);
    for (const email of emails) {
      const key = sendKey(runKeyOf(e.campaignId, c.id), email.id);
      const before = expectedReasons(c, email.category);
      const after = change ? expectedReasons(applyChange(c, change.kind), email.category) : before;
      for (const m of messages.get(key) ?? []) {
        const decided = Math.max(...(decisions.get(key) ?? []).map((d) => d.at).filter((at) => at <= m.receivedAt + 1));
        if (!Number.isFinite(decided)) ineligible.fail(`${key}: a message with no decision before it`);
        else if (before.length > 0) ineligible.fail(`${key}: sent to a customer never eligible (${before.join(', ')})`);
        else if (change && after.length > 0 && decided >= change.at)
          ineligible.fail(`${key}: decided ${Math.round(decided - change.at)} ms after ${change.kind} made the customer ineligible`);
      }
    }
  }

  // The ledger, the fake and the run's own result agree on every customer's outcome, and it is one the customer's data
  // allows (before or after its change).
  const agree = new Check("ledger, fake and the runs' results agree on every outcome");
  const outcomes = { sent: 0, skipped: 0, failed: 0, not_run: 0 };
  let settledAfterRun = 0;
  const fromResults = new Map<string, LedgerFigures>();
  for (const c of e.customers) {
    const result = runs.get(c.id)?.result;
    if (!result) continue; // counted above
    const change = changes.get(c.id);
    const outcomeOf = (id: string): ActionOutcome | undefined => result.actions.find((a) => a.actionId === id)?.outcome;
    const a = outcomeOf(e.actions.a);
    for (const email of emails) {
      const key = sendKey(runKeyOf(e.campaignId, c.id), email.id);
      const o = outcomeOf(email.id);
      const row = ledger.get(key);
      const ms = messages.get(key) ?? [];
      const allowed = [
        expectedReasons(c, email.category),
        ...(change ? [expectedReasons(applyChange(c, change.kind), email.category)] : []),
      ];
      const problem = disagreement({ o, row, ms, allowed, resend, runsAfterA: email.id === e.actions.b, aSent: a?.status === 'sent' });
      if (problem) agree.fail(`${key}: ${problem}`);
      if (o && o.status !== 'done') outcomes[o.status]++;
      if (o?.status === 'failed' && row && settledLate(row)) settledAfterRun++;
      if (o && row) tally(fromResults, email.id, o, row);
    }
    const tag = outcomeOf(e.actions.tag)?.status;
    if (tag !== (a?.status === 'sent' ? 'done' : 'not_run')) agree.fail(`${c.id}: Set tag ${tag} after e-mail ${a?.status}`);
    if (e.existing.has(c.id) && (a?.status === 'sent') !== e.tagged.has(c.id))
      agree.fail(`${c.id}: tagged ${e.tagged.has(c.id)} though e-mail A ${a?.status}`);
  }

  // The report's numbers are those of the runs' results.
  const report = new Check("the report's numbers match the runs' results");
  for (const email of emails) {
    const want = fromResults.get(email.id) ?? emptyFigures();
    const got = e.report.actions.find((x) => x.actionId === email.id);
    const gotFigures = got ? Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof LedgerFigures]])) : emptyFigures();
    if (!isDeepStrictEqual(gotFigures, want))
      report.fail(`${email.id}: report ${JSON.stringify(gotFigures)} against results ${JSON.stringify(want)}`);
  }

  const histories = new Check('no recipient address in any history');
  for (const h of e.historyHits) histories.fail(h);
  if (e.histories < e.runs.length) histories.fail(`only ${e.histories} histories searched for ${e.runs.length} runs`);

  const checks = [enrolled, closed, duplicates, truth, ineligible, agree, report, histories].map((c) => c.result());
  return {
    checks,
    figures: {
      customers: e.customers.length,
      runsEnrolled: e.runs.length,
      runsClosed: e.runs.filter((r) => r.status !== 'RUNNING').length,
      lostRuns: e.customers.filter((c) => !runs.has(c.id)).length,
      messagesAccepted: e.messages.length,
      duplicateMessages,
      possibleDuplicateSends: e.ledger.filter((r) => r.possible_duplicate).length,
      acceptedSends: messages.size,
      neverReportedSends: neverReported,
      ledgerSent,
      confirmedLate: e.ledger.filter((r) => r.status === 'sent' && r.confirmed_by_event).length,
      settledAfterRun,
      stillUnknown: e.ledger.filter((r) => r.status === 'failed' && r.failure_reason === 'delivery_unknown').length,
      duplicatesConfirmed: e.ledger.filter((r) => r.duplicate_confirmed).length,
      outcomes,
    },
  };
}

/** Why an e-mail's result, ledger row and messages disagree (or allow no outcome the data allows), or null. */
export function disagreement(x: {
  o: ActionOutcome | undefined;
  row: LedgerRow | undefined;
  ms: FakeMessage[];
  /** the skip reasons the customer's data allows: before its change, and after it */
  allowed: SkipReason[][];
  resend: boolean;
  /** e-mail B, which runs only after A was sent */
  runsAfterA: boolean;
  aSent: boolean;
}): string | null {
  const { o, row, ms, resend } = x;
  const maybeDuplicate = resend && row?.possible_duplicate === true;
  if (!o) return 'no outcome in the result';
  if (x.runsAfterA && !x.aSent) {
    if (o.status !== 'not_run') return `${o.status} though e-mail A was not sent`;
  } else if (o.status === 'not_run') return 'not run';
  switch (o.status) {
    case 'not_run':
      if (row) return `not run, but the ledger has it ${row.status}`;
      return ms.length ? `not run, but ${ms.length} message(s)` : null;
    case 'sent':
      if (row?.status !== 'sent' || row.provider_message_id !== o.messageId) return `sent, but the ledger has ${row?.status ?? 'no row'}`;
      if (!ms.some((m) => m.messageId === o.messageId)) return 'sent, but the fake never accepted that message id';
      if (!x.allowed.some((r) => r.length === 0)) return 'sent, but the data never allowed it';
      return ms.length > 1 && !maybeDuplicate ? `sent ${ms.length} times` : null;
    case 'skipped':
      if (row?.status !== 'skipped' || !same(row.skip_reasons ?? [], o.reasons))
        return `skipped, but the ledger has ${row?.status ?? 'no row'}`;
      if (!x.allowed.some((r) => r.length > 0 && same(r, o.reasons)))
        return `skipped for ${o.reasons.join(', ')}, which the data never gave`;
      return ms.length && !maybeDuplicate ? `skipped, but ${ms.length} message(s)` : null;
    case 'failed':
      // Only an unknown delivery the campaign holds may fail: SendGrid stayed silent for the whole wait. An event that
      // came after the run decided then settles the row as sent, with a message the fake accepted.
      if (ms.length > 1) return `failed, with ${ms.length} messages`;
      if (!resend && row && settledLate(row))
        return ms.some((m) => m.messageId === row.provider_message_id)
          ? null
          : 'settled late as sent, but the fake never accepted that message id';
      if (resend || row?.status !== 'failed' || row.failure_reason !== 'delivery_unknown')
        return `failed (${o.error}); the ledger has ${row?.status ?? 'no row'} ${row?.failure_reason ?? ''}`.trim();
      return null;
    default:
      return `unexpected outcome ${o.status}`;
  }
}

/** A row an event settled as sent after SendGrid's answer was lost. */
const settledLate = (row: LedgerRow) => row.status === 'sent' && row.confirmed_by_event !== null;

const describeRow = (row: LedgerRow) => `${row.status}${row.failure_reason ? ` (${row.failure_reason})` : ''}`;

const GROUP: Record<SkipReason, keyof LedgerFigures['skipped']['byGroup']> = {
  email_channel_unsubscribed: 'unsubscribedFromChannel',
  email_missing: 'addressIssue',
  email_invalid: 'addressIssue',
  category_unsubscribed: 'unsubscribedFromCategory',
  customer_not_found: 'customerNotFound',
};

function emptyFigures(): LedgerFigures {
  return {
    customersReached: 0,
    sent: 0,
    skipped: {
      total: 0,
      byGroup: { unsubscribedFromChannel: 0, addressIssue: 0, unsubscribedFromCategory: 0, customerNotFound: 0 },
      byReason: { email_channel_unsubscribed: 0, email_missing: 0, email_invalid: 0, category_unsubscribed: 0, customer_not_found: 0 },
    },
    failed: 0,
    deliveryUnknown: 0,
    lifetimeExpired: 0,
    cancelled: 0,
    cancelledInFlight: 0,
    inProgress: 0,
    awaitingWord: 0,
    confirmedLate: 0,
    possibleDuplicates: 0,
    duplicatesConfirmed: 0,
  };
}

/**
 * Counts one result into the figures the report must show (the ledger row says only whether it was a maybe-duplicate,
 * or confirmed late). A failure an event settled after the run decided counts as sent, confirmed late, as the ledger
 * now says: the report tells what SendGrid did.
 */
function tally(into: Map<string, LedgerFigures>, actionId: string, o: ActionOutcome, row: LedgerRow): void {
  if (!into.has(actionId)) into.set(actionId, emptyFigures());
  const f = into.get(actionId)!;
  f.customersReached++;
  if (o.status === 'sent' || (o.status === 'failed' && settledLate(row))) {
    f.sent++;
    if (row.possible_duplicate) f.possibleDuplicates++;
    if (row.duplicate_confirmed) f.duplicatesConfirmed++;
    if (row.confirmed_by_event) f.confirmedLate++;
  } else if (o.status === 'skipped') {
    f.skipped.total++;
    f.skipped.byGroup[GROUP[o.reasons[0]]]++;
    for (const r of o.reasons) f.skipped.byReason[r]++;
  } else if (o.status === 'failed') {
    f.failed++;
    if (row.failure_reason === 'delivery_unknown') f.deliveryUnknown++;
  }
}
