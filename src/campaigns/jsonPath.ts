// The JSON paths that validation errors carry ($.actions[0].children[1].settings.subject): written one way everywhere.
import { quote } from '../email/quote';

/** Longer unknown keys are named in an error's message rather than in its path. */
export const MAX_KEY_IN_PATH = 64;

/**
 * Appends property names / indexes to a JSON path: .name for identifiers, ["odd key"] otherwise (escaped as in JSON, and
 * invisible characters too: see email/quote.ts), [3] for indexes.
 */
export function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += `.${s}`;
    else out += `[${quote(String(s), Infinity)}]`;
  }
  return out;
}
