// The size of a template's Liquid, measured from its tokens before it is parsed. liquidjs parses and renders nested
// blocks and brackets by recursion (5,000 nested ifs overflowed the stack, at a depth that depends on how deep the
// caller already was, so a template could pass validation and fail to render), and parts of its parser grow with the
// square of the number of tags (50,000 `when` took 9 s). So both are bounded before liquidjs sees the template.
import { TokenKind, Tokenizer, type Liquid, type TopLevelToken } from 'liquidjs';
import { positionOf } from './liquidPositions';

// Tags whose body, up to `end<name>`, is one level deeper.
const BLOCKS = new Set(['if', 'unless', 'for', 'case', 'capture', 'tablerow', 'comment', 'raw', 'block']);

export interface ShapeLimits {
  /** tags and outputs, counting each line of a {% liquid %} tag as a tag */
  elements: number;
  /** blocks inside blocks, and brackets or parentheses inside each other in one expression */
  nesting: number;
}

/** Deepest nesting of [ and ( in an expression, outside quoted strings; and where it went past `limit`. */
function bracketDepth(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') {
      if (++depth > limit) return i;
    } else if (c === ']' || c === ')') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/**
 * What is too big about the template's Liquid, or undefined. Throws liquidjs' TokenizationError when the source does
 * not even tokenize (an unclosed {{ or {%), as parsing would.
 */
export function shapeProblem(engine: Liquid, source: string, limits: ShapeLimits): string | undefined {
  const at = (offset: number) => {
    const [line, column] = positionOf(source, offset);
    return `(line ${line}, column ${column})`;
  };
  let elements = 0;
  let depth = 0;
  const visit = (tokens: Iterable<TopLevelToken>): string | undefined => {
    for (const token of tokens) {
      if (token.kind === TokenKind.HTML) continue;
      if (++elements > limits.elements) return `has more than ${limits.elements} Liquid tags and outputs ${at(token.begin)}`;
      const t = token as TopLevelToken & { name?: string; args?: string; content?: string; contentRange: [number, number] };
      const expression = t.kind === TokenKind.Output ? (t.content ?? '') : (t.args ?? '');
      const tooDeep = bracketDepth(expression, limits.nesting);
      if (tooDeep !== undefined) {
        return `nests brackets or parentheses more than ${limits.nesting} levels deep ${at(t.contentRange[1] - expression.length + tooDeep)}`;
      }
      if (t.kind !== TokenKind.Tag || !t.name) continue;
      if (BLOCKS.has(t.name) && ++depth > limits.nesting) return `nests blocks more than ${limits.nesting} levels deep ${at(t.begin)}`;
      if (t.name.startsWith('end') && BLOCKS.has(t.name.slice(3))) depth = Math.max(0, depth - 1);
      if (t.name === 'liquid') {
        // Its lines are tags one level down (a line may itself be a liquid tag).
        if (++depth > limits.nesting) return `nests blocks more than ${limits.nesting} levels deep ${at(t.begin)}`;
        const range: [number, number] = [t.contentRange[1] - (t.args ?? '').length, t.contentRange[1]];
        const problem = visit(new Tokenizer(source, engine.options.operators, undefined, range).readLiquidTagTokens(engine.options));
        if (problem) return problem;
        depth--;
      }
    }
    return undefined;
  };
  return visit(new Tokenizer(source, engine.options.operators).readTopLevelTokens(engine.options));
}
