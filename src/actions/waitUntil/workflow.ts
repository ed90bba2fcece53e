import type { ActionHandler } from '../../workflows/actions/types';
import { waitUntilInstant } from '../../workflows/actions/waiting';

// Wait until: a durable timer until the instant resolved when the run started; a moment already past goes on at once.
export const waitUntilHandler: ActionHandler = async (node, run) => {
  const target = node.waitUntil;
  if (!target) return { outcome: { status: 'failed', error: 'the run has no instant for this Wait until' }, runChildren: false };
  return waitUntilInstant(node, run, Date.parse(target.at), `Wait until ${target.dateTime} ${target.timeZone}`);
};
