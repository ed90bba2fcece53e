// What a chaos run must show at the end, judged from what it collected: Temporal's visibility and the runs' results (from
// their histories), the send ledger with every decision its claims made, the SendGrid fake's accepted messages, the
// changes made to customers and when, and the campaign report. Pure, so that each check is tested on its own
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
  }

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

  const checks = [enrolled, closed, duplicates, ineligible, agree, report, histories].map((c) => c.result());
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
      // Only an unknown delivery the campaign holds may fail: SendGrid may or may not have the message.
      if (resend || row?.status !== 'failed' || row.failure_reason !== 'delivery_unknown')
        return `failed (${o.error}); the ledger has ${row?.status ?? 'no row'} ${row?.failure_reason ?? ''}`.trim();
      return ms.length > 1 ? `failed, with ${ms.length} messages` : null;
    default:
      return `unexpected outcome ${o.status}`;
  }
}

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

/** Counts one result into the figures the report must show (the ledger row says only whether it was a maybe-duplicate). */
function tally(into: Map<string, LedgerFigures>, actionId: string, o: ActionOutcome, row: LedgerRow): void {
  if (!into.has(actionId)) into.set(actionId, emptyFigures());
  const f = into.get(actionId)!;
  f.customersReached++;
  if (o.status === 'sent') {
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
