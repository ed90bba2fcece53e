// Adds UTM parameters to the http(s) links of a rendered HTML body. Pure string work: the HTML is scanned tag by tag
// (quoted attribute values may contain '>') and only href attributes are touched; everything else is kept byte for byte.
import type { UtmParams } from './types';

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

// A start tag: name, then attributes where quoted values may hold any character.
const START_TAG = /<[A-Za-z][^\s/>]*((?:"[^"]*"|'[^']*'|[^"'>])*)>/g;
// Attributes of a start tag, matched one after the other so that text inside a quoted value (title="href='x'")
// is never taken for an attribute. Unquoted values are matched only to be skipped.
const ATTRIBUTE = /(\s+)([^\s"'>/=]+)(?:(\s*=\s*)(?:"([^"]*)"|'([^']*)'|[^\s"'=<>`]+))?/g;

// The references an href realistically holds; anything else makes us leave the link alone rather than guess.
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  AMP: '&',
  quot: '"',
  QUOT: '"',
  apos: "'",
  lt: '<',
  LT: '<',
  gt: '>',
  GT: '>',
};

/** Decodes character references in an attribute value; undefined if it holds one we cannot decode safely. */
function decodeAttribute(value: string): string | undefined {
  let unknown = false;
  const decoded = value.replace(/&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);/g, (whole, ref: string) => {
    if (ref[0] !== '#') {
      if (Object.hasOwn(NAMED_ENTITIES, ref)) return NAMED_ENTITIES[ref];
      unknown = true;
      return whole;
    }
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code > 0x10ffff) {
      unknown = true;
      return whole;
    }
    return String.fromCodePoint(code);
  });
  return unknown ? undefined : decoded;
}

function encodeAttribute(value: string, quote: '"' | "'"): string {
  const out = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return quote === '"' ? out.replace(/"/g, '&quot;') : out.replace(/'/g, '&#39;');
}

/** The URL with the UTM params it lacks appended to its query, or undefined when it is not an absolute http(s) URL. */
export function addUtmToUrl(url: string, utm: UtmParams): string | undefined {
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined; // mailto:, tel:, #anchor, relative, //host
  try {
    new URL(trimmed);
  } catch {
    return undefined; // malformed: better an untagged link than a mangled one
  }
  // Edit the query as text so the rest of the URL (and existing params) stays exactly as written.
  const hashAt = trimmed.indexOf('#');
  const beforeHash = hashAt < 0 ? trimmed : trimmed.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : trimmed.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);
  const existing = new URLSearchParams(query);
  const added = UTM_KEYS.filter((k) => utm[k] !== undefined && !existing.has(`utm_${k}`)).map(
    (k) => `utm_${k}=${encodeURIComponent(utm[k] as string)}`,
  );
  if (added.length === 0) return trimmed;
  const separator = query === '' || query.endsWith('&') ? '' : '&';
  return `${base}?${query}${separator}${added.join('&')}${fragment}`;
}

/** Adds utm_* params to every quoted href (any tag) pointing at an http(s) URL; an utm_* already on a link wins. */
export function addUtmToLinks(html: string, utm: UtmParams): string {
  if (!UTM_KEYS.some((k) => utm[k] !== undefined)) return html;
  return html.replace(START_TAG, (tag) =>
    tag.replace(ATTRIBUTE, (whole, space: string, name: string, eq?: string, dq?: string, sq?: string) => {
      if (name.toLowerCase() !== 'href' || (dq === undefined && sq === undefined)) return whole;
      const quote = dq !== undefined ? '"' : "'";
      const decoded = decodeAttribute(dq ?? sq ?? '');
      const tagged = decoded === undefined ? undefined : addUtmToUrl(decoded, utm);
      return tagged === undefined ? whole : `${space}${name}${eq ?? ''}${quote}${encodeAttribute(tagged, quote)}${quote}`;
    }),
  );
}
