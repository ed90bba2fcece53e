// Adds UTM parameters to the http(s) links of a rendered HTML body: only quoted href values are touched (links.ts);
// everything else is kept byte for byte.
import { decodeAttribute, encodeAttribute, replaceHrefs } from './links';
import type { UtmParams } from './types';

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

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
  return replaceHrefs(html, ({ value, quote }) => {
    if (quote === null) return undefined;
    const decoded = decodeAttribute(value);
    const tagged = decoded === undefined ? undefined : addUtmToUrl(decoded, utm);
    return tagged === undefined ? undefined : encodeAttribute(tagged, quote);
  });
}
