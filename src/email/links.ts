// The href attributes of a rendered HTML body. Pure string work: the HTML is scanned tag by tag (quoted attribute
// values may contain '>'), and everything but the href values a caller replaces is kept byte for byte.

// A start tag: name, then attributes where quoted values may hold any character.
const START_TAG = /<[A-Za-z][^\s/>]*((?:"[^"]*"|'[^']*'|[^"'>])*)>/g;
// Attributes of a start tag, matched one after the other so that text inside a quoted value (title="href='x'")
// is never taken for an attribute. A '/' separates attributes as whitespace does (<a/href="...">), as browsers read it.
const ATTRIBUTE = /([\s/]+)([^\s"'>/=]+)(?:(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export interface Href {
  /** the attribute's value as written: character references not decoded */
  value: string;
  /** null when the value is not quoted */
  quote: '"' | "'" | null;
}

/** Calls `replace` for every href attribute with a value (any tag, any case); a string it returns replaces the value. */
export function replaceHrefs(html: string, replace: (href: Href) => string | undefined): string {
  return html.replace(START_TAG, (tag) =>
    tag.replace(ATTRIBUTE, (whole, sep: string, name: string, eq?: string, dq?: string, sq?: string, unquoted?: string) => {
      const value = dq ?? sq ?? unquoted;
      if (name.toLowerCase() !== 'href' || value === undefined) return whole;
      const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : null;
      const replaced = replace({ value, quote });
      return replaced === undefined ? whole : `${sep}${name}${eq}${quote ?? ''}${replaced}${quote ?? ''}`;
    }),
  );
}

/** The value of every href attribute, as written, in document order. */
export function hrefValues(html: string): string[] {
  const values: string[] = [];
  replaceHrefs(html, ({ value }) => {
    values.push(value);
    return undefined;
  });
  return values;
}

// The references an href realistically holds; anything else makes callers leave the link alone rather than guess.
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
export function decodeAttribute(value: string): string | undefined {
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

export function encodeAttribute(value: string, quote: '"' | "'"): string {
  const out = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return quote === '"' ? out.replace(/"/g, '&quot;') : out.replace(/'/g, '&#39;');
}

const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

/**
 * Whether an href value (as written in the HTML) is a link without a scheme (#top, /path, //host) or with http,
 * https, mailto or tel. It is read as a browser reads it: references decoded, leading spaces and controls dropped,
 * tabs and line breaks dropped anywhere.
 */
export function isAllowedHref(value: string): boolean {
  const decoded = decodeAttribute(value);
  // A reference we do not decode (&colon;) could spell out the scheme: refuse unless it sits after the scheme's place.
  if (decoded === undefined && /^[^/?#]*&/.test(value)) return false;
  // eslint-disable-next-line no-control-regex -- what the URL parser drops: C0 controls and spaces in front
  const url = (decoded ?? value).replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+/, '');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return scheme === null || ALLOWED_SCHEMES.has(scheme[1].toLowerCase());
}
