// setTag: adds a tag to the customer. Tags are short identifiers (namespaces like "vip:gold" allowed).
import { z } from 'zod';
import type { ActionDefinition } from '../definition';

export interface SetTagSettings {
  tag: string;
}

/** A tag as customers carry it: also the campaign goal's tag (src/campaigns/validate.ts). */
export const tagSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/, 'must be 1-64 characters: letters, digits, _ : . -');

export const setTag: ActionDefinition<SetTagSettings> = {
  title: 'Set tag',
  settingsSchema: () => z.strictObject({ tag: tagSchema }),
  // Its activity reads the tag from the stored action; the run carries nothing of it.
  report: { label: (settings) => settings.tag },
};
