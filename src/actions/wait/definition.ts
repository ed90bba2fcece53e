// wait: continues after a duration. Seconds are allowed too (tests and demos wait seconds, not days); the total must be
// at least a second and at most MAX_WAIT_DAYS days.
import { z } from 'zod';
import type { WaitDuration } from '../../contract';
import { durationSchema } from '../../campaigns/timingSchemas';
import type { ActionDefinition } from '../definition';

/** Wait: continue after a duration (at least a second, at most MAX_WAIT_DAYS days). */
export interface WaitSettings {
  duration: WaitDuration;
}

export const MAX_WAIT_DAYS = 365;

export const wait: ActionDefinition<WaitSettings> = {
  title: 'Wait',
  settingsSchema: () => z.strictObject({ duration: durationSchema(MAX_WAIT_DAYS) }),
  // The run carries the duration and waits itself: no activity of its own.
  treeFields: (settings) => ({ wait: { ...settings.duration } }),
  report: { branches: ['continued'] },
};
