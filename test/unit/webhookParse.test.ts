// The webhook's parsing of an event batch (src/service/webhook.ts parseEvents): what each open says about who opened it.
import assert from 'node:assert/strict';
import { parseEvents } from '../../src/service/webhook';

const open = (extra: Record<string, unknown>, id = 'e1') => ({
  sg_event_id: id,
  event: 'open',
  email: 'ann@example.com',
  timestamp: 1_800_000_000,
  ...extra,
});

describe('webhook parseEvents: machine opens', () => {
  it('marks an open sg_machine_open: true as a machine open; false or absent (older events) is a person', () => {
    const r = parseEvents([open({ sg_machine_open: true }, 'a'), open({ sg_machine_open: false }, 'b'), open({}, 'c')]);
    assert.ok('events' in r);
    assert.deepEqual(
      r.events.map((e) => [e.sgEventId, e.machineOpen]),
      [
        ['a', true],
        ['b', false],
        ['c', false],
      ],
    );
    assert.deepEqual(r.ignored, []);
  });

  it('ignores an event whose sg_machine_open is not a boolean, naming the field', () => {
    const r = parseEvents([open({ sg_machine_open: 'yes' })]);
    assert.ok('events' in r);
    assert.equal(r.events.length, 0);
    assert.equal(r.ignored.length, 1);
    assert.match(r.ignored[0].problem, /^sg_machine_open: /);
  });
});
