// setTag: adds a tag to the customer. Tags are short identifiers (namespaces like "vip:gold" allowed).
import { z } from 'zod';
import type { SetTagSettings } from '../types';
import type { ActionTypeDef } from '../actionTypeDef';

export const setTag: ActionTypeDef<SetTagSettings> = {
  settingsSchema: () =>
    z.strictObject({
      tag: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/, 'must be 1-64 characters: letters, digits, _ : . -'),
    }),
};
