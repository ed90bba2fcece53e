// Putting what a user wrote (a key, a type, a variable name, a parser's excerpt of a template) into an error message.
// The message must stay one short line whatever the input held: controls, line and paragraph separators, direction
// overrides (which would reorder the rest of the line on a terminal), invisible characters and unpaired surrogates are
// escaped as \uXXXX, and long text is cut.

const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeUnprintable = (s: string) => s.replace(UNPRINTABLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

/** `s` cut to `max` characters with everything that would break or disguise the line escaped. */
export function printable(s: string, max = 200): string {
  return escapeUnprintable(cut(s, max));
}

/** `s` in double quotes (quotes and backslashes escaped as in JSON), cut to `max` characters, printable. */
export function quote(s: string, max = 40): string {
  return `"${escapeUnprintable(cut(s, max).replace(/["\\]/g, '\\$&'))}"`;
}
