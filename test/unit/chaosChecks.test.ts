// The chaos run's checks (bench/chaos/checks.ts) on small hand-made evidence: each passes on a consistent run and fails
// on the one fault it exists to catch.
import { strict as assert } from 'node:assert';
import { checkChaos, type ChaosEvidence, type LedgerRow } from '../../bench/chaos/checks';
import { reportedMessages } from '../../bench/chaos/evidence';
import type { ActionOutcome, SkipReason } from '../../src/contract';
import type { CustomerLine } from '../../src/db/customerImport';
import type { ActionFigures } from '../../src/report/campaignReport';

const noDelivery: ActionFigures['delivery'] = {
  delivered: 0,
  bounced: { total: 0, hard: 0, soft: 0 },
  dropped: 0,
  openedCustomers: 0,
  clickedCustomers: 0,
  unsubscribed: 0,
  spamReports: 0,
};

const ACTIONS = { a: 'email-a', tag: 'tag', b: 'email-b' };
const key = (customer: string, action: string) => `campaign-run:chaos:${customer}/${action}`;

const customer = (id: string, over: Partial<CustomerLine> = {}): CustomerLine => ({
  id,
  email: `${id}@chaos.example.com`,
  emailQualityCode: 0,
  emailSubscribed: true,
  categories: { offers: true },
  ...over,
});

const sent = (messageId: string): ActionOutcome => ({ status: 'sent', messageId });
const skipped = (...reasons: SkipReason[]): ActionOutcome => ({ status: 'skipped', reasons });
const notRun: ActionOutcome = { status: 'not_run' };

function figures(o: {
  sent?: number;
  skipped?: SkipReason[][];
  failed?: number;
  deliveryUnknown?: number;
  possibleDuplicates?: number;
  confirmedLate?: number;
  duplicatesConfirmed?: number;
}): ActionFigures {
  const f: ActionFigures = {
    customersReached: (o.sent ?? 0) + (o.skipped?.length ?? 0) + (o.failed ?? 0),
    sent: o.sent ?? 0,
    skipped: {
      total: o.skipped?.length ?? 0,
      byGroup: { unsubscribedFromChannel: 0, addressIssue: 0, unsubscribedFromCategory: 0, customerNotFound: 0 },
      byReason: { email_channel_unsubscribed: 0, email_missing: 0, email_invalid: 0, category_unsubscribed: 0, customer_not_found: 0 },
    },
    failed: o.failed ?? 0,
    deliveryUnknown: o.deliveryUnknown ?? 0,
    lifetimeExpired: 0,
    cancelled: 0,
    cancelledInFlight: 0,
    inProgress: 0,
    awaitingWord: 0,
    confirmedLate: o.confirmedLate ?? 0,
    possibleDuplicates: o.possibleDuplicates ?? 0,
    duplicatesConfirmed: o.duplicatesConfirmed ?? 0,
    delivery: noDelivery,
  };
  const group = { email_channel_unsubscribed: 'unsubscribedFromChannel', category_unsubscribed: 'unsubscribedFromCategory' } as const;
  for (const rs of o.skipped ?? []) {
    f.skipped.byGroup[group[rs[0] as keyof typeof group]]++;
    for (const r of rs) f.skipped.byReason[r]++;
  }
  return f;
}

function row(customerId: string, action: string, o: ActionOutcome, over: Partial<LedgerRow> = {}): LedgerRow {
  return {
    run_key: `campaign-run:chaos:${customerId}`,
    action_id: action,
    customer_id: customerId,
    status: o.status,
    skip_reasons: o.status === 'skipped' ? o.reasons : null,
    provider_message_id: o.status === 'sent' ? o.messageId : null,
    possible_duplicate: false,
    failure_reason: null,
    confirmed_by_event: null,
    duplicate_confirmed: false,
    ...over,
  };
}

/**
 * Four customers: c0 gets both e-mails; c1 is unsubscribed from the channel; c2 gets A but not B (unsubscribed from its
 * category); c3 is unsubscribed from the channel at t=4000, before its send was decided (t=5000), and is skipped.
 */
function consistent(): ChaosEvidence {
  const results: Record<string, [ActionOutcome, ActionOutcome, ActionOutcome]> = {
    c0: [sent('m0a'), { status: 'done' }, sent('m0b')],
    c1: [skipped('email_channel_unsubscribed'), notRun, notRun],
    c2: [sent('m2a'), { status: 'done' }, skipped('category_unsubscribed')],
    c3: [skipped('email_channel_unsubscribed'), notRun, notRun],
  };
  const ledger: LedgerRow[] = [];
  for (const [id, [a, , b]] of Object.entries(results)) {
    ledger.push(row(id, ACTIONS.a, a));
    if (b.status !== 'not_run') ledger.push(row(id, ACTIONS.b, b));
  }
  return {
    unknownDelivery: 'hold',
    campaignId: 'chaos',
    actions: ACTIONS,
    customers: [
      customer('c0'),
      customer('c1', { emailSubscribed: false }),
      customer('c2', { categories: { offers: false } }),
      customer('c3'),
    ],
    changes: [{ customerId: 'c3', kind: 'channel', at: 4000 }],
    runs: Object.entries(results).map(([id, [a, tag, b]]) => ({
      customerId: id,
      status: 'COMPLETED',
      result: {
        campaignId: 'chaos',
        campaignVersion: 1,
        customerId: id,
        actions: [
          { actionId: ACTIONS.a, type: 'sendEmail', outcome: a },
          { actionId: ACTIONS.tag, type: 'setTag', outcome: tag },
          { actionId: ACTIONS.b, type: 'sendEmail', outcome: b },
        ],
      },
    })),
    launchStatus: 'COMPLETED',
    ledger,
    decisions: [
      { sendKey: key('c0', ACTIONS.a), at: 1000 },
      { sendKey: key('c0', ACTIONS.b), at: 2000 },
      { sendKey: key('c1', ACTIONS.a), at: 1000 },
      { sendKey: key('c2', ACTIONS.a), at: 1000 },
      { sendKey: key('c2', ACTIONS.b), at: 2000 },
      { sendKey: key('c3', ACTIONS.a), at: 5000 },
    ],
    messages: [
      { sendKey: key('c0', ACTIONS.a), messageId: 'm0a', receivedAt: 1010 },
      { sendKey: key('c0', ACTIONS.b), messageId: 'm0b', receivedAt: 2010 },
      { sendKey: key('c2', ACTIONS.a), messageId: 'm2a', receivedAt: 1010 },
    ],
    reported: new Set(['m0a', 'm0b', 'm2a']),
    report: {
      campaignId: 'chaos',
      generatedAt: '2026-11-28T00:00:00.000Z',
      actions: [
        { actionId: ACTIONS.a, ...figures({ sent: 2, skipped: [['email_channel_unsubscribed'], ['email_channel_unsubscribed']] }) },
        { actionId: ACTIONS.b, ...figures({ sent: 1, skipped: [['category_unsubscribed']] }) },
      ],
      totals: figures({}),
      flow: [],
    },
    existing: new Set(['c0', 'c1', 'c2', 'c3']),
    tagged: new Set(['c0', 'c2']),
    histories: 5,
    historyHits: [],
  };
}

const TRUTH = "ledger's sent = the fake's accepted sends, less only those it never reported an event for";

/**
 * c2's e-mail A had its answer lost under hold: the fake accepted m2a but none of its events reached the service, so the
 * run waited for SendGrid's word in vain and failed with delivery_unknown; its children did not run.
 */
function heldUnknown(): ChaosEvidence {
  const e = consistent();
  const failure: ActionOutcome = { status: 'failed', error: 'delivery_unknown: ...' };
  setOutcome(e, 'c2', ACTIONS.a, failure);
  setOutcome(e, 'c2', ACTIONS.tag, notRun);
  setOutcome(e, 'c2', ACTIONS.b, notRun);
  e.ledger = e.ledger.filter((r) => r.customer_id !== 'c2');
  e.ledger.push(row('c2', ACTIONS.a, failure, { failure_reason: 'delivery_unknown' }));
  e.reported.delete('m2a');
  e.tagged.delete('c2');
  e.report.actions[0] = {
    actionId: ACTIONS.a,
    ...figures({ sent: 1, failed: 1, deliveryUnknown: 1, skipped: [['email_channel_unsubscribed'], ['email_channel_unsubscribed']] }),
  };
  e.report.actions[1] = { actionId: ACTIONS.b, ...figures({ sent: 1 }) };
  return e;
}

/** The names of the checks that failed. */
function failed(e: ChaosEvidence): string[] {
  return checkChaos(e)
    .checks.filter((c) => !c.ok)
    .map((c) => c.name);
}

/** Sets the outcome of one action in a run's result. */
function setOutcome(e: ChaosEvidence, customerId: string, actionId: string, outcome: ActionOutcome): void {
  e.runs.find((r) => r.customerId === customerId)!.result!.actions.find((a) => a.actionId === actionId)!.outcome = outcome;
}

describe('chaos checks', () => {
  it('all hold on a consistent run', () => {
    const r = checkChaos(consistent());
    assert.deepEqual(
      r.checks.filter((c) => !c.ok),
      [],
    );
    assert.deepEqual(r.figures.outcomes, { sent: 3, skipped: 3, failed: 0, not_run: 2 });
    assert.equal(r.figures.lostRuns, 0);
  });

  it('a customer without a run is a lost run', () => {
    const e = consistent();
    e.runs = e.runs.filter((r) => r.customerId !== 'c1');
    // The report, from the ledger, then counts a customer the results do not have.
    assert.deepEqual(failed(e), [
      'runs enrolled = customers in the audience (lost runs 0)',
      "the report's numbers match the runs' results",
    ]);
    assert.equal(checkChaos(e).figures.lostRuns, 1);
  });

  it('a run still running, or one without a result, is not closed; so is a launch still running', () => {
    const e = consistent();
    e.runs[1].status = 'RUNNING';
    delete e.runs[1].result;
    assert.ok(failed(e).includes('every run closed (completed), and the launch'));
    const l = consistent();
    l.launchStatus = 'RUNNING';
    assert.deepEqual(failed(l), ['every run closed (completed), and the launch']);
  });

  it('hold: a second message for a send_key is a duplicate', () => {
    const e = consistent();
    e.messages.push({ sendKey: key('c0', ACTIONS.a), messageId: 'again', receivedAt: 1020 });
    assert.deepEqual(failed(e), [
      'no duplicate message (unknownDelivery hold)',
      "ledger, fake and the runs' results agree on every outcome",
    ]);
    assert.equal(checkChaos(e).figures.duplicateMessages, 1);
  });

  it('resend: a duplicate is allowed only on a send the ledger marked possible_duplicate', () => {
    const e = consistent();
    e.unknownDelivery = 'resend';
    e.messages.push({ sendKey: key('c0', ACTIONS.a), messageId: 'again', receivedAt: 1020 });
    assert.deepEqual(failed(e), [
      'duplicate messages only on sends the ledger marked possible_duplicate',
      "ledger, fake and the runs' results agree on every outcome",
    ]);
    e.ledger.find((r) => r.customer_id === 'c0' && r.action_id === ACTIONS.a)!.possible_duplicate = true;
    e.report.actions[0].possibleDuplicates = 1;
    assert.deepEqual(failed(e), []);
  });

  it('a message the ledger knows nothing of is caught', () => {
    const e = consistent();
    e.messages.push({ sendKey: key('c9', ACTIONS.a), messageId: 'stray', receivedAt: 1020 });
    assert.ok(failed(e).includes('no duplicate message (unknownDelivery hold)'));
  });

  it('a message decided after a change made the customer ineligible is caught; one decided before it is fine', () => {
    const e = consistent();
    setOutcome(e, 'c3', ACTIONS.a, sent('m3a'));
    setOutcome(e, 'c3', ACTIONS.tag, { status: 'done' });
    setOutcome(e, 'c3', ACTIONS.b, skipped('email_channel_unsubscribed'));
    e.ledger = e.ledger.filter((r) => r.customer_id !== 'c3');
    e.ledger.push(row('c3', ACTIONS.a, sent('m3a')), row('c3', ACTIONS.b, skipped('email_channel_unsubscribed')));
    e.messages.push({ sendKey: key('c3', ACTIONS.a), messageId: 'm3a', receivedAt: 5010 });
    e.decisions.push({ sendKey: key('c3', ACTIONS.b), at: 6000 });
    e.tagged.add('c3');
    e.report.actions[0] = { actionId: ACTIONS.a, ...figures({ sent: 3, skipped: [['email_channel_unsubscribed']] }) };
    e.report.actions[1] = {
      actionId: ACTIONS.b,
      ...figures({ sent: 1, skipped: [['category_unsubscribed'], ['email_channel_unsubscribed']] }),
    };
    assert.deepEqual(failed(e), ['no message to a customer ineligible at the moment of sending']);
    e.decisions.find((d) => d.sendKey === key('c3', ACTIONS.a))!.at = 3000; // decided before the change at 4000
    e.messages.find((m) => m.messageId === 'm3a')!.receivedAt = 3010;
    assert.deepEqual(failed(e), []);
  });

  it('a message to a customer the data never made eligible is caught, whatever the ledger says', () => {
    const e = consistent();
    e.messages.push({ sendKey: key('c1', ACTIONS.a), messageId: 'm1a', receivedAt: 1010 });
    assert.ok(failed(e).includes('no message to a customer ineligible at the moment of sending'));
  });

  it('a message with no decision before it is caught', () => {
    const e = consistent();
    e.decisions.find((d) => d.sendKey === key('c0', ACTIONS.a))!.at = 1500; // after the message arrived at 1010
    assert.deepEqual(failed(e), ['no message to a customer ineligible at the moment of sending']);
  });

  it('the ledger, the fake and the result must agree', () => {
    const noMessage = consistent();
    noMessage.messages = noMessage.messages.filter((m) => m.messageId !== 'm0b');
    assert.deepEqual(failed(noMessage), [TRUTH, "ledger, fake and the runs' results agree on every outcome"]);

    const otherId = consistent();
    otherId.ledger.find((r) => r.provider_message_id === 'm0b')!.provider_message_id = 'other';
    assert.deepEqual(failed(otherId), [TRUTH, "ledger, fake and the runs' results agree on every outcome"]);

    const otherReasons = consistent();
    setOutcome(otherReasons, 'c1', ACTIONS.a, skipped('email_missing'));
    assert.ok(failed(otherReasons).includes("ledger, fake and the runs' results agree on every outcome"));

    const childRan = consistent();
    setOutcome(childRan, 'c1', ACTIONS.tag, { status: 'done' });
    assert.ok(failed(childRan).includes("ledger, fake and the runs' results agree on every outcome"));

    const untagged = consistent();
    untagged.tagged.delete('c0');
    assert.deepEqual(failed(untagged), ["ledger, fake and the runs' results agree on every outcome"]);
  });

  it('an unknown delivery may fail under hold (with at most one message, never reported), never under resend', () => {
    const e = heldUnknown();
    assert.deepEqual(failed(e), []);
    const r = checkChaos(e).figures;
    assert.deepEqual(
      { accepted: r.acceptedSends, neverReported: r.neverReportedSends, ledgerSent: r.ledgerSent, stillUnknown: r.stillUnknown },
      { accepted: 3, neverReported: 1, ledgerSent: 2, stillUnknown: 1 },
    );
    e.unknownDelivery = 'resend';
    assert.ok(failed(e).includes("ledger, fake and the runs' results agree on every outcome"));
  });

  it("the ledger's sent is what the fake accepted: a reported message left delivery_unknown is caught", () => {
    // SendGrid took m2a and its events reached the service, which should have settled the row as sent.
    const e = heldUnknown();
    e.reported.add('m2a');
    assert.deepEqual(failed(e), [TRUTH]);
    assert.match(checkChaos(e).checks.find((c) => c.name === TRUTH)!.examples[0], /email-a: the fake accepted it and its events reached/);
  });

  it("the ledger's sent is what the fake accepted: a sent row without an accepted message is caught, whatever the runs say", () => {
    // A row sent in the ledger while the run's result says delivery_unknown and the fake has no message for the send.
    const e = heldUnknown();
    e.messages = e.messages.filter((m) => m.messageId !== 'm2a');
    e.ledger.find((r) => r.customer_id === 'c2' && r.action_id === ACTIONS.a)!.status = 'sent';
    assert.ok(failed(e).includes(TRUTH));
    // And one in any other state than sent or delivery_unknown, with a message the fake took, is caught too.
    const other = heldUnknown();
    other.ledger.find((r) => r.customer_id === 'c2' && r.action_id === ACTIONS.a)!.failure_reason = 'rejected';
    assert.ok(failed(other).includes(TRUTH));
  });

  it('an event after the run gave up settles the row as sent: it agrees, and the report counts it sent, confirmed late', () => {
    const e = heldUnknown();
    e.reported.add('m2a');
    Object.assign(
      e.ledger.find((r) => r.customer_id === 'c2' && r.action_id === ACTIONS.a)!,
      {
        status: 'sent',
        provider_message_id: 'm2a',
        failure_reason: null,
        confirmed_by_event: 'processed',
      },
    );
    assert.deepEqual(failed(e), ["the report's numbers match the runs' results"]);
    e.report.actions[0] = {
      actionId: ACTIONS.a,
      ...figures({ sent: 2, confirmedLate: 1, skipped: [['email_channel_unsubscribed'], ['email_channel_unsubscribed']] }),
    };
    assert.deepEqual(failed(e), []);
    const f = checkChaos(e).figures;
    assert.deepEqual(
      { ledgerSent: f.ledgerSent, confirmedLate: f.confirmedLate, settledAfterRun: f.settledAfterRun, stillUnknown: f.stillUnknown },
      { ledgerSent: 3, confirmedLate: 1, settledAfterRun: 1, stillUnknown: 0 },
    );
    // Settled with a message id the fake never gave: caught.
    e.ledger.find((r) => r.customer_id === 'c2' && r.action_id === ACTIONS.a)!.provider_message_id = 'ghost';
    assert.ok(failed(e).includes("ledger, fake and the runs' results agree on every outcome"));
    assert.ok(failed(e).includes(TRUTH));
  });

  it('resend: two messages that events both reported must be marked duplicate_confirmed', () => {
    const e = consistent();
    e.unknownDelivery = 'resend';
    e.messages.push({ sendKey: key('c0', ACTIONS.a), messageId: 'again', receivedAt: 1020 });
    e.reported.add('again');
    const r = e.ledger.find((x) => x.customer_id === 'c0' && x.action_id === ACTIONS.a)!;
    r.possible_duplicate = true;
    e.report.actions[0].possibleDuplicates = 1;
    assert.deepEqual(failed(e), ['duplicate messages only on sends the ledger marked possible_duplicate']);
    r.duplicate_confirmed = true;
    e.report.actions[0].duplicatesConfirmed = 1;
    assert.deepEqual(failed(e), []);
    assert.equal(checkChaos(e).figures.duplicatesConfirmed, 1);
  });

  it('a message counts as reported only when a batch holding one of its events was answered 2xx', () => {
    const events = [
      { sg_event_id: 'e1', sg_message_id: 'mA.filterdrecv-fake-1-0.0', event: 'processed' },
      { sg_event_id: 'e2', sg_message_id: 'mA.filterdrecv-fake-1-0.0', event: 'delivered' },
      { sg_event_id: 'e3', sg_message_id: 'mB.filterdrecv-fake-2-0.0', event: 'processed' },
      { sg_event_id: 'e4', sg_message_id: 'mC.filterdrecv-fake-3-0.0', event: 'processed' },
    ];
    const at = '2026-12-07T00:00:00.000Z';
    const deliveries = [
      { at, attempt: 1, status: 0, events: 2, sgEventIds: ['e1', 'e3'] },
      { at, attempt: 2, status: 503, events: 2, sgEventIds: ['e1', 'e3'] },
      { at, attempt: 3, status: 200, events: 2, sgEventIds: ['e2', 'e3'] },
      { at, attempt: 1, status: 500, events: 1, sgEventIds: ['e4'] },
    ];
    assert.deepEqual([...reportedMessages(events, deliveries)].sort(), ['mA', 'mB']);
  });

  it("the report's numbers must be the results'", () => {
    const e = consistent();
    e.report.actions[1].sent = 2;
    assert.deepEqual(failed(e), ["the report's numbers match the runs' results"]);
  });

  it('an address in a history is caught, and so is a scan that missed histories', () => {
    const e = consistent();
    e.historyHits = ['workflow campaign-run:chaos:c0, event 1: holds the address c0@… (20 chars)'];
    assert.deepEqual(failed(e), ['no recipient address in any history']);
    const few = consistent();
    few.histories = 2;
    assert.deepEqual(failed(few), ['no recipient address in any history']);
  });
});
