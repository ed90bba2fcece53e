// The sendWindowOpening local activity: when a send window next opens, seen from the workflow's time. Pure, but an
// activity all the same, so that its answer (which depends on Node's time-zone data) is recorded in the run's history.
import { nextWindowOpening, describeInstant } from '../../campaigns/timing';
import type { SendWindowOpening, SendWindowQuery } from '../../contract';

export async function sendWindowOpening(q: SendWindowQuery): Promise<SendWindowOpening | null> {
  const atMs = nextWindowOpening(q.window, q.atMs);
  return atMs === null ? null : { atMs, local: describeInstant(atMs, q.window.timeZone) };
}
