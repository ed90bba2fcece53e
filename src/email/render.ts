// Liquid rendering of e-mail templates. Pure: no file system, no network.
// Templates are parsed once per campaign action (compileEmail) and rendered once per customer (renderEmail).
import { filters, Liquid, Template, Variable, type FilterImplOptions } from 'liquidjs';
import { installFastPositions } from './liquidPositions';
import { hrefValues, isAllowedHref } from './links';
import { printable, quote } from './quote';
import { shapeProblem } from './templateShape';
import type { EmailContent, TemplateContext, UtmParams } from './types';
import { addUtmToLinks } from './utm';

/** Limits on every template (subject, HTML, text), so that no campaign and no customer's data can stall a worker. */
export const TEMPLATE_LIMITS = {
  /** characters in one template; mail clients clip an HTML body long before (Gmail at 102 KB) */
  length: 1_000_000,
  /** milliseconds one render may take; a real one takes a few */
  renderMs: 1_000,
  /**
   * liquidjs' memory units in one render: items of ranges (1..n) and of arrays that filters build, characters that
   * string filters and HTML escaping produce. Charged before the work, so (1..1000000000) fails at once.
   */
  memory: 1_000_000,
  /**
   * Liquid tags and outputs in one template (each line of a {% liquid %} tag counts): parts of liquidjs' parser grow
   * with the square of their number. A long newsletter has a few hundred.
   */
  elements: 5_000,
  /** blocks inside blocks, brackets inside brackets: liquidjs parses and renders them by recursion */
  nesting: 50,
} as const;

installFastPositions();

/**
 * A template cannot be rendered for one customer: a limit was reached, or the HTML links to a scheme we do not send.
 * The message names the template and the rule, never the customer's data.
 */
export class TemplateRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

/** Fields of TemplateContext that templates may read; `customer.attributes` additionally allows any sub-key. */
const KNOWN_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  customer: new Set(['id', 'email', 'firstName', 'lastName', 'tags', 'attributes']),
  campaign: new Set(['id', 'name']),
};
// Properties Liquid itself offers on strings/arrays, so `customer.tags.size` or `customer.tags.first` are fine.
const BUILTIN_PROPERTIES = new Set(['size', 'first', 'last']);
// Tags that load other templates would read files at render time; campaign templates must be self-contained.
const FILE_TAGS = ['include', 'render', 'layout'];

// The filters that read 'now' (or 'today') as the current time. liquidjs reads the system clock there; a render is given
// its time instead (renderEmail's `now`), so that a preview and the send it previews render the same date, and tests
// can fix the clock.
const DATE_FILTERS = ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string'] as const;
type DateFilter = (this: unknown, v: unknown, ...args: unknown[]) => unknown;
/** Where a render keeps its time: a symbol, so that no template variable can name it. */
const RENDER_TIME = Symbol('renderTime');

function atRenderTime(original: DateFilter): FilterImplOptions {
  return function (this: { context: { globals: Record<symbol, unknown> } }, v: unknown, ...args: unknown[]) {
    const now = this.context.globals[RENDER_TIME];
    return original.call(this, now instanceof Date && (v === 'now' || v === 'today') ? now : v, ...args);
  } as FilterImplOptions;
}

function makeEngine(escapeOutput: boolean): Liquid {
  const engine = new Liquid({
    strictFilters: true, // a misspelt filter is a parse error instead of silently doing nothing
    strictVariables: false, // a missing attribute renders as '' (validation already checked the names)
    ownPropertyOnly: true, // attributes are free keys: never expose prototype members such as `constructor`
    templates: {}, // belt and braces next to FILE_TAGS: no file system lookups even if a tag slipped through
    parseLimit: TEMPLATE_LIMITS.length,
    renderLimit: TEMPLATE_LIMITS.renderMs,
    memoryLimit: TEMPLATE_LIMITS.memory,
    ...(escapeOutput ? { outputEscape: 'escape' as const } : {}),
  });
  for (const name of DATE_FILTERS) engine.registerFilter(name, atRenderTime(filters[name] as DateFilter));
  for (const name of FILE_TAGS) {
    engine.registerTag(name, {
      parse() {
        throw new Error(`tag "${name}" is not supported in campaign templates`);
      },
      render() {},
    });
  }
  return engine;
}

// One engine per escaping mode, shared: Liquid instances hold only configuration, so sharing is safe.
const htmlEngine = makeEngine(true);
const plainEngine = makeEngine(false);

// Top-level variables that are a value themselves.
const TOP_LEVEL_VALUES = new Set(['unsubscribe_url']);

function unknownVariable(v: Variable): boolean {
  const [root, field, ...rest] = v.segments;
  if (typeof root === 'string' && TOP_LEVEL_VALUES.has(root)) return field !== undefined;
  const fields = typeof root === 'string' ? KNOWN_FIELDS[root] : undefined;
  if (!fields || typeof field !== 'string' || !fields.has(field)) return true;
  if (field === 'attributes' || rest.length === 0) return false;
  // Below a scalar/array field only indexing and Liquid's built-in properties make sense.
  // Nested variables (customer.tags[i]) are reported and checked on their own by the analysis.
  return !rest.every((s) => typeof s !== 'string' || BUILTIN_PROPERTIES.has(s));
}

const MAX_LISTED_VARIABLES = 10;

/**
 * Problems with a template source: a parse error (including unknown filters and unsupported tags), a limit passed, or
 * one entry per unknown variable (the first ten, then how many more), in source order. Empty array = fine.
 */
export function checkTemplate(source: string): string[] {
  if (source.length > TEMPLATE_LIMITS.length) return [`template is longer than ${TEMPLATE_LIMITS.length} characters`];
  let templates: Template[];
  try {
    const tooBig = shapeProblem(plainEngine, source, TEMPLATE_LIMITS);
    if (tooBig) return [`template ${tooBig}`];
    templates = plainEngine.parse(source);
  } catch (e) {
    // liquidjs quotes the template in its messages: kept to one printable line.
    return [`template does not parse: ${printable((e as Error).message)}`];
  }
  const globals = Object.values(plainEngine.analyzeSync(templates, { partials: false }).globals).flat();
  globals.sort((a, b) => a.location.row - b.location.row || a.location.col - b.location.col);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const v of globals) {
    const name = v.toString();
    if (seen.has(name) || !unknownVariable(v)) continue;
    seen.add(name);
    problems.push(`unknown variable ${quote(name, 80)} (line ${v.location.row}, column ${v.location.col})`);
  }
  // A template of 5,000 different misspelt variables is one mistake, not 5,000 lines on the terminal.
  if (problems.length > MAX_LISTED_VARIABLES) {
    return [...problems.slice(0, MAX_LISTED_VARIABLES), `and ${problems.length - MAX_LISTED_VARIABLES} more unknown variables`];
  }
  return problems;
}

export interface CompiledEmail {
  readonly subject: Template[];
  readonly html: Template[];
  readonly text?: Template[];
  readonly utm?: UtmParams;
}

/** Parses the templates of validated settings; throws liquidjs' ParseError if they do not parse. */
export function compileEmail(settings: EmailContent): CompiledEmail {
  return {
    subject: plainEngine.parse(settings.subject),
    html: htmlEngine.parse(settings.html),
    text: settings.text === undefined ? undefined : plainEngine.parse(settings.text),
    utm: settings.utm,
  };
}

type Part = 'subject' | 'html' | 'text';

/** What went wrong, in words that quote no data: liquidjs' other messages may carry a customer's values. */
function renderFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const at = /line:(\d+), col:(\d+)/.exec(message);
  const where = at ? ` (line ${at[1]}, column ${at[2]})` : '';
  if (message.startsWith('template render limit exceeded')) return `took longer than ${TEMPLATE_LIMITS.renderMs} ms to render${where}`;
  if (message.startsWith('memory alloc limit exceeded'))
    return `exceeded the render memory limit (${TEMPLATE_LIMITS.memory} units)${where}`;
  return `failed to render${where}`;
}

async function renderPart(engine: Liquid, templates: Template[], ctx: TemplateContext, part: Part, now: Date): Promise<string> {
  try {
    return (await engine.render(templates, ctx, { globals: { [RENDER_TIME]: now } })) as string;
  } catch (err) {
    throw new TemplateRenderError(`the ${part} template ${renderFailure(err)}`);
  }
}

/** Refuses a rendered href with a scheme other than http, https, mailto or tel (javascript:, data:, ...). */
function checkLinks(html: string): void {
  const bad = hrefValues(html).findIndex((value) => !isAllowedHref(value));
  if (bad >= 0) {
    throw new TemplateRenderError(`the html template renders link ${bad + 1} with a scheme other than http, https, mailto or tel`);
  }
}

/**
 * Renders for one customer. Customer data is HTML-escaped in the HTML body only; UTM tags go on its http(s) links.
 * `now` is the time 'now' means in the date filters (default: the system clock's). Throws TemplateRenderError when a
 * limit is reached or a link has a scheme we do not send.
 */
export async function renderEmail(
  c: CompiledEmail,
  ctx: TemplateContext,
  o: { now?: Date } = {},
): Promise<{ subject: string; html: string; text?: string }> {
  const now = o.now ?? new Date();
  const [subject, html, text] = await Promise.all([
    renderPart(plainEngine, c.subject, ctx, 'subject', now),
    renderPart(htmlEngine, c.html, ctx, 'html', now),
    c.text === undefined ? undefined : renderPart(plainEngine, c.text, ctx, 'text', now),
  ]);
  checkLinks(html);
  const out: { subject: string; html: string; text?: string } = {
    // The subject becomes a mail header: customer data must not be able to break it into several lines.
    subject: subject.replace(/[\r\n]+/g, ' '),
    html: c.utm ? addUtmToLinks(html, c.utm) : html,
  };
  if (text !== undefined) out.text = text;
  return out;
}
