// The workflow side of the action-type registry. Adding a type: one handler module here, one schema module in
// src/campaigns/actions/, and (if it does I/O) one activity.
import { sendEmailHandler } from './sendEmail';
import { setTagHandler } from './setTag';
import type { ActionHandler } from './types';

export const handlers: Record<string, ActionHandler> = {
  sendEmail: sendEmailHandler,
  setTag: setTagHandler,
};
