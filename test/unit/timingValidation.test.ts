// Validation of the timing settings: Wait, Wait until, the send window (campaign and action) and messages per minute.
// Every error names its JSON path; one bad field never hides another's error.
import assert from 'node:assert/strict';
import { validateCampaign, type ValidationError } from '../../src/campaigns/validate';
import { actionTree } from '../../src/campaigns/runTree';

const ctx = { categoryCodes: new Set(['news']) };
const email = (over: object = {}) => ({
  from: { email: 'news@shop.example.com' },
  subject: 'Hi',
  html: '<p>Hi</p>',
  ...over,
});
const doc = (actions: unknown[], top: object = {}) => ({ id: 'timed', name: 'Timed', ...top, actions });
const waitAction = (settings: unknown, children: unknown[] = []) => ({ id: 'w', type: 'wait', settings, children });
const untilAction = (settings: unknown) => ({ id: 'u', type: 'waitUntil', settings, children: [] });

function errors(d: unknown): ValidationError[] {
  const r = validateCampaign(d, ctx);
  assert.equal(r.ok, false, 'expected the campaign to be invalid');
  return r.ok ? [] : r.errors;
}
function expectErrors(d: unknown, expected: Array<[string, RegExp]>): void {
  const es = errors(d);
  assert.deepEqual(
    es.map((e) => e.path),
    expected.map(([p]) => p),
    JSON.stringify(es, null, 2),
  );
  expected.forEach(([, re], i) => assert.match(es[i].message, re));
}
function valid(d: unknown) {
  const r = validateCampaign(d, ctx);
  assert.ok(r.ok, JSON.stringify(r));
  return r.campaign;
}

describe('validateCampaign: timing', () => {
  it('accepts Wait in days, hours, minutes and seconds, alone or together', () => {
    for (const duration of [{ days: 3 }, { hours: 1, minutes: 30 }, { seconds: 5 }, { days: 365 }, { days: 0, seconds: 1 }])
      valid(doc([waitAction({ duration })]));
  });

  it('rejects a Wait without units, with unknown units, fractions, negatives, or out of bounds', () => {
    expectErrors(doc([waitAction({})]), [['$.actions[0].settings.duration', /is required/]]);
    expectErrors(doc([waitAction({ duration: {} })]), [
      ['$.actions[0].settings.duration', /at least one of: days, hours, minutes, seconds/],
    ]);
    expectErrors(doc([waitAction({ duration: { weeks: 1 } })]), [
      ['$.actions[0].settings.duration.weeks', /unknown key "weeks"/],
      ['$.actions[0].settings.duration', /at least one of/],
    ]);
    expectErrors(doc([waitAction({ duration: { hours: 1.5, minutes: -1 } })]), [
      ['$.actions[0].settings.duration.hours', /whole number/],
      ['$.actions[0].settings.duration.minutes', /not be negative/],
    ]);
    expectErrors(doc([waitAction({ duration: { seconds: 0 } })]), [['$.actions[0].settings.duration', /at least 1 second/]]);
    expectErrors(doc([waitAction({ duration: { days: 365, seconds: 1 } })]), [['$.actions[0].settings.duration', /at most 365 days/]]);
    expectErrors(doc([waitAction({ duration: { days: '3' } })]), [['$.actions[0].settings.duration.days', /number/]]);
  });

  it('accepts Wait until with a local date and time and an IANA zone, and rejects the rest with their paths', () => {
    valid(doc([untilAction({ dateTime: '2026-12-01T10:00', timeZone: 'Europe/Moscow' })]));
    valid(doc([untilAction({ dateTime: '2020-01-01T00:00:30', timeZone: 'UTC' })])); // in the past: continues at once
    expectErrors(doc([untilAction({ dateTime: '2026-02-30T10:00', timeZone: 'Mars/Base' })]), [
      ['$.actions[0].settings.dateTime', /real local date and time/],
      ['$.actions[0].settings.timeZone', /IANA time zone/],
    ]);
    expectErrors(doc([untilAction({ dateTime: '2026-12-01T10:00:00+03:00', timeZone: 'Europe/Moscow' })]), [
      ['$.actions[0].settings.dateTime', /without an offset/],
    ]);
    expectErrors(doc([untilAction({ dateTime: '1999-12-31T23:00', timeZone: 'UTC' })]), [['$.actions[0].settings.dateTime', /2000-2100/]]);
    expectErrors(doc([untilAction({ timeZone: 'UTC' })]), [['$.actions[0].settings.dateTime', /is required/]]);
  });

  it('accepts a send window on the campaign and on an action, and deliverImmediately', () => {
    const c = valid(
      doc(
        [
          { id: 'e1', type: 'sendEmail', settings: email({ sendWindow: { start: '10:00', end: '18:00:30', timeZone: 'UTC' } }) },
          { id: 'e2', type: 'sendEmail', settings: email({ deliverImmediately: true }) },
          { id: 'e3', type: 'sendEmail', settings: email() },
        ],
        { sendWindow: { start: '21:00', end: '09:00', timeZone: 'Europe/Moscow' }, messagesPerMinute: 600 },
      ),
    );
    assert.equal(c.messagesPerMinute, 600);
    assert.deepEqual(c.sendWindow, { start: '21:00', end: '09:00', timeZone: 'Europe/Moscow' });
  });

  it('rejects a bad send window with the path of each field, on the campaign and on an action', () => {
    expectErrors(
      doc(
        [{ id: 'e', type: 'sendEmail', settings: email({ sendWindow: { start: '9:00', end: '09:00', timeZone: '+03:00', days: [] } }) }],
        {
          sendWindow: { start: '09:00', end: '09:00:00', timeZone: 'UTC' },
        },
      ),
      [
        // document order: the campaign's sendWindow comes before its actions
        ['$.sendWindow.end', /must differ from start/],
        ['$.actions[0].settings.sendWindow.start', /"HH:MM" or "HH:MM:SS"/],
        ['$.actions[0].settings.sendWindow.timeZone', /IANA time zone/],
        ['$.actions[0].settings.sendWindow.days', /unknown key "days"/],
      ],
    );
    expectErrors(doc([], { sendWindow: { start: '09:00', timeZone: 'UTC' } }), [['$.sendWindow.end', /is required/]]);
  });

  it('rejects deliverImmediately together with the action own window', () => {
    expectErrors(
      doc([
        {
          id: 'e',
          type: 'sendEmail',
          settings: email({ deliverImmediately: true, sendWindow: { start: '09:00', end: '10:00', timeZone: 'UTC' } }),
        },
      ]),
      [['$.actions[0].settings.deliverImmediately', /leave out sendWindow or this/]],
    );
    expectErrors(doc([{ id: 'e', type: 'sendEmail', settings: email({ deliverImmediately: 'yes' }) }]), [
      ['$.actions[0].settings.deliverImmediately', /boolean/],
    ]);
  });

  it('rejects messagesPerMinute that is not a whole number from 1 to 60000', () => {
    for (const [v, re] of [
      [0, /at least 1/],
      [1.5, /whole number/],
      [60_001, /at most 60000/],
      ['600', /number/],
    ] as const)
      expectErrors(doc([], { messagesPerMinute: v }), [['$.messagesPerMinute', re]]);
  });

  it("carries into a run's input: a Wait's duration, a Wait until's instant, each e-mail's window, and no window with deliverImmediately", () => {
    const c = valid(
      doc(
        [
          waitAction({ duration: { days: 3 } }, [
            { id: 'e1', type: 'sendEmail', settings: email({ sendWindow: { start: '10:00', end: '18:00', timeZone: 'UTC' } }) },
            { id: 'e2', type: 'sendEmail', settings: email({ deliverImmediately: true }) },
            { id: 'e3', type: 'sendEmail', settings: email() },
          ]),
          untilAction({ dateTime: '2026-12-01T10:00', timeZone: 'Europe/Moscow' }),
        ],
        { sendWindow: { start: '09:00', end: '21:00', timeZone: 'Europe/Moscow' } },
      ),
    );
    assert.deepEqual(actionTree(c), [
      {
        id: 'w',
        type: 'wait',
        wait: { days: 3 },
        children: [
          { id: 'e1', type: 'sendEmail', sendWindow: { start: '10:00', end: '18:00', timeZone: 'UTC' }, children: [] },
          { id: 'e2', type: 'sendEmail', children: [] },
          { id: 'e3', type: 'sendEmail', sendWindow: { start: '09:00', end: '21:00', timeZone: 'Europe/Moscow' }, children: [] },
        ],
      },
      {
        id: 'u',
        type: 'waitUntil',
        waitUntil: { at: '2026-12-01T07:00:00.000Z', dateTime: '2026-12-01T10:00', timeZone: 'Europe/Moscow' },
        children: [],
      },
    ]);
  });
});
