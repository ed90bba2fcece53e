// Liquid rendering of e-mail templates. Pure: no file system, no network.
// Templates are parsed once per campaign action (compileEmail) and rendered once per customer (renderEmail).
import { Liquid, Template, Variable } from 'liquidjs';
import type { EmailContent, TemplateContext, UtmParams } from './types';
import { addUtmToLinks } from './utm';

/** Fields of TemplateContext that templates may read; `customer.attributes` additionally allows any sub-key. */
const KNOWN_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  customer: new Set(['id', 'email', 'firstName', 'lastName', 'tags', 'attributes']),
  campaign: new Set(['id', 'name']),
};
// Properties Liquid itself offers on strings/arrays, so `customer.tags.size` or `customer.tags.first` are fine.
const BUILTIN_PROPERTIES = new Set(['size', 'first', 'last']);
// Tags that load other templates would read files at render time; campaign templates must be self-contained.
const FILE_TAGS = ['include', 'render', 'layout'];

function makeEngine(escapeOutput: boolean): Liquid {
  const engine = new Liquid({
    strictFilters: true, // a misspelt filter is a parse error instead of silently doing nothing
    strictVariables: false, // a missing attribute renders as '' (validation already checked the names)
    ownPropertyOnly: true, // attributes are free keys: never expose prototype members such as `constructor`
    templates: {}, // belt and braces next to FILE_TAGS: no file system lookups even if a tag slipped through
    ...(escapeOutput ? { outputEscape: 'escape' as const } : {}),
  });
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

function firstLine(message: string): string {
  return message.split('\n')[0];
}

function unknownVariable(v: Variable): boolean {
  const [root, field, ...rest] = v.segments;
  const fields = typeof root === 'string' ? KNOWN_FIELDS[root] : undefined;
  if (!fields || typeof field !== 'string' || !fields.has(field)) return true;
  if (field === 'attributes' || rest.length === 0) return false;
  // Below a scalar/array field only indexing and Liquid's built-in properties make sense.
  // Nested variables (customer.tags[i]) are reported and checked on their own by the analysis.
  return !rest.every((s) => typeof s !== 'string' || BUILTIN_PROPERTIES.has(s));
}

/**
 * Problems with a template source: a parse error (including unknown filters and unsupported tags), or one entry per
 * unknown variable, in source order. Empty array = fine.
 */
export function checkTemplate(source: string): string[] {
  let templates: Template[];
  try {
    templates = plainEngine.parse(source);
  } catch (e) {
    return [`template does not parse: ${firstLine((e as Error).message)}`];
  }
  const globals = Object.values(plainEngine.analyzeSync(templates, { partials: false }).globals).flat();
  globals.sort((a, b) => a.location.row - b.location.row || a.location.col - b.location.col);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const v of globals) {
    const name = v.toString();
    if (seen.has(name) || !unknownVariable(v)) continue;
    seen.add(name);
    problems.push(`unknown variable "${name}" (line ${v.location.row}, column ${v.location.col})`);
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

/** Renders for one customer. Customer data is HTML-escaped in the HTML body only; UTM tags go on its http(s) links. */
export async function renderEmail(c: CompiledEmail, ctx: TemplateContext): Promise<{ subject: string; html: string; text?: string }> {
  const [subject, html, text] = await Promise.all([
    plainEngine.render(c.subject, ctx) as Promise<string>,
    htmlEngine.render(c.html, ctx) as Promise<string>,
    c.text === undefined ? undefined : (plainEngine.render(c.text, ctx) as Promise<string>),
  ]);
  const out: { subject: string; html: string; text?: string } = {
    // The subject becomes a mail header: customer data must not be able to break it into several lines.
    subject: subject.replace(/[\r\n]+/g, ' '),
    html: c.utm ? addUtmToLinks(html, c.utm) : html,
  };
  if (text !== undefined) out.text = text;
  return out;
}
