// Time-zone arithmetic for Wait until and the send window (src/campaigns/timing.ts), against known offsets and the two
// daylight-saving transitions, and the pure duration helpers of the contract.
import assert from 'node:assert/strict';
import {
  describeInstant,
  isValidTimeZone,
  nextWindowOpening,
  parseLocalDateTime,
  parseTimeOfDay,
  zonedInstant,
} from '../../src/campaigns/timing';
import { describeWaitDuration, waitDurationMs } from '../../src/contract';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const local = (s: string) => parseLocalDateTime(s)!;

describe('campaign timing: zones, instants and send windows', () => {
  it('knows IANA zones and refuses offsets and made-up names', () => {
    for (const z of ['Europe/Moscow', 'America/New_York', 'UTC', 'Asia/Kolkata']) assert.ok(isValidTimeZone(z), z);
    for (const z of ['+03:00', 'Mars/Olympus', '', 'Europe/Moskva ', 'GMT+3:00']) assert.ok(!isValidTimeZone(z), z);
  });

  it('parses real local dates and times only', () => {
    assert.deepEqual(local('2026-12-01T10:00'), { year: 2026, month: 12, day: 1, hour: 10, minute: 0, second: 0 });
    assert.equal(local('2026-12-01T10:00:30').second, 30);
    for (const s of [
      '2026-02-30T10:00',
      '2026-12-01T24:00',
      '2026-12-01T10:60',
      '2026-12-01 10:00',
      '2026-12-01T10:00Z',
      '2026-12-01T10:00+03:00',
    ])
      assert.equal(parseLocalDateTime(s), undefined, s);
    assert.equal(parseTimeOfDay('09:00'), 9 * 3600);
    assert.equal(parseTimeOfDay('23:59:59'), 86_399);
    for (const s of ['9:00', '24:00', '12:61', '12:00:60']) assert.equal(parseTimeOfDay(s), undefined, s);
  });

  it('resolves a local date and time in its zone', () => {
    assert.equal(iso(zonedInstant(local('2026-12-01T10:00'), 'Europe/Moscow')), '2026-12-01T07:00:00.000Z');
    assert.equal(iso(zonedInstant(local('2026-07-01T10:00'), 'America/New_York')), '2026-07-01T14:00:00.000Z');
    assert.equal(iso(zonedInstant(local('2026-12-01T10:00'), 'America/New_York')), '2026-12-01T15:00:00.000Z');
    assert.equal(iso(zonedInstant(local('2026-12-01T10:00'), 'Asia/Kolkata')), '2026-12-01T04:30:00.000Z');
  });

  it('moves a time the clocks skip forward by the gap, and takes the earlier of a time that occurs twice', () => {
    // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist: 03:30 EDT.
    assert.equal(iso(zonedInstant(local('2026-03-08T02:30'), 'America/New_York')), '2026-03-08T07:30:00.000Z');
    // 2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice: the first, EDT.
    assert.equal(iso(zonedInstant(local('2026-11-01T01:30'), 'America/New_York')), '2026-11-01T05:30:00.000Z');
  });

  it('says when a daily window next opens, or null while it is open', () => {
    const w = { start: '09:00', end: '21:00', timeZone: 'Europe/Moscow' };
    // 05:00 Moscow: opens today at 09:00 (06:00Z).
    assert.equal(iso(nextWindowOpening(w, Date.parse('2026-11-28T02:00:00Z'))), '2026-11-28T06:00:00.000Z');
    // 09:00 sharp and 20:59:59 are inside; 21:00 is not (end exclusive): tomorrow 09:00.
    assert.equal(nextWindowOpening(w, Date.parse('2026-11-28T06:00:00Z')), null);
    assert.equal(nextWindowOpening(w, Date.parse('2026-11-28T17:59:59Z')), null);
    assert.equal(iso(nextWindowOpening(w, Date.parse('2026-11-28T18:00:00Z'))), '2026-11-29T06:00:00.000Z');
    // Across midnight.
    const night = { start: '21:00', end: '09:00', timeZone: 'UTC' };
    assert.equal(nextWindowOpening(night, Date.parse('2026-11-28T23:00:00Z')), null);
    assert.equal(nextWindowOpening(night, Date.parse('2026-11-28T08:59:59Z')), null);
    assert.equal(iso(nextWindowOpening(night, Date.parse('2026-11-28T12:00:00Z'))), '2026-11-28T21:00:00.000Z');
    // Seconds, for tests.
    const s = { start: '10:00:05', end: '10:30', timeZone: 'UTC' };
    assert.equal(iso(nextWindowOpening(s, Date.parse('2026-11-28T10:00:01Z'))), '2026-11-28T10:00:05.000Z');
  });

  it('opens a window whose start the clocks skip at the moment the clocks land past it', () => {
    const w = { start: '02:30', end: '05:00', timeZone: 'America/New_York' };
    // 2026-03-08 01:00 EST (06:00Z): today's 02:30 does not exist; the window opens at 03:30 EDT (07:30Z).
    assert.equal(iso(nextWindowOpening(w, Date.parse('2026-03-08T06:00:00Z'))), '2026-03-08T07:30:00.000Z');
  });

  it('describes an opening in the window zone', () => {
    assert.equal(describeInstant(Date.parse('2026-11-28T06:00:00Z'), 'Europe/Moscow'), '2026-11-28 09:00:00 Europe/Moscow (+03:00)');
    assert.equal(describeInstant(Date.parse('2026-11-28T06:00:00Z'), 'America/New_York'), '2026-11-28 01:00:00 America/New_York (-05:00)');
  });

  it('turns a Wait duration into milliseconds and words', () => {
    assert.equal(waitDurationMs({ days: 3 }), 3 * 86_400_000);
    assert.equal(waitDurationMs({ hours: 1, minutes: 30, seconds: 5 }), 5_405_000);
    assert.equal(describeWaitDuration({ days: 3 }), '3 days');
    assert.equal(describeWaitDuration({ days: 1, hours: 12, minutes: 0 }), '1 day 12 hours');
    assert.equal(describeWaitDuration({ seconds: 1 }), '1 second');
  });
});
