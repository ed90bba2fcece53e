// setTag: adds a tag to the customer. Tags are short identifiers (namespaces like "vip:gold" allowed).
import { z } from 'zod';
import type { ActionDefinition } from '../definition';

export interface SetTagSettings {
  tag: string;
}

export const setTag: ActionDefinition<SetTagSettings> = {
  title: 'Set tag',
  settingsSchema: () =>
    z.strictObject({
      tag: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/, 'must be 1-64 characters: letters, digits, _ : . -'),
    }),
  // Its activity reads the tag from the stored action; the run carries nothing of it.
  report: { label: (settings) => settings.tag },
};
