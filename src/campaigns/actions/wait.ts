// wait: continues after a duration. Seconds are allowed too (tests and demos wait seconds, not days); the total must be
// at least a second and at most MAX_WAIT_DAYS days.
import { z } from 'zod';
import { MAX_WAIT_DAYS, type WaitSettings } from '../types';
import { durationSchema } from '../timingSchemas';
import type { ActionTypeDef } from '../actionTypeDef';

export const wait: ActionTypeDef<WaitSettings> = {
  settingsSchema: () => z.strictObject({ duration: durationSchema(MAX_WAIT_DAYS) }),
};
