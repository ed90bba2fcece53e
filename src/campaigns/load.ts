// Reading a campaign file. Every syntax error is reported with its line and column, and nesting is capped. Node's
// JSON.parse does not say where it failed, and the recursive scanner used before overflowed its stack on ~20,000
// unclosed brackets and then reported "line 1, column 1". So an iterative scanner (an explicit stack, no recursion)
// checks the text first, and JSON.parse builds the value only from text the scanner accepted.
import { printable, quote } from '../email/quote';

export class JsonSyntaxError extends Error {}

/** Arrays and objects nested deeper than this are refused. A valid campaign (at most 20 levels of actions) needs ~45. */
export const MAX_JSON_DEPTH = 128;

export interface JsonErrorAt {
  /** UTF-16 offset of the offending character (text.length: the text ended too early) */
  offset: number;
  reason: 'syntax' | 'depth';
}

const WS = new Set([' ', '\t', '\r', '\n']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

class Stop {
  constructor(readonly at: JsonErrorAt) {}
}

/** The first error in `text` as RFC 8259 JSON (what JSON.parse accepts), or null when it is valid and not too deep. */
export function findJsonError(text: string, maxDepth = MAX_JSON_DEPTH): JsonErrorAt | null {
  let i = 0;
  const fail = (reason: JsonErrorAt['reason'] = 'syntax'): never => {
    throw new Stop({ offset: Math.min(i, text.length), reason });
  };
  const ws = () => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text[i];
      if (c === '"') return void i++;
      if (text.charCodeAt(i) < 0x20) fail();
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!isHex(text[i])) fail();
          continue;
        }
        if (!ESCAPES.has(text[i])) fail();
      }
      i++;
    }
  };
  const digits = () => {
    if (!isDigit(text[i])) fail();
    while (isDigit(text[i])) i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };

  // Open containers, innermost last: '{' or '['.
  const stack: string[] = [];
  const open = (c: string) => {
    if (stack.length >= maxDepth) fail('depth');
    stack.push(c);
    i++;
    ws();
  };
  try {
    let expect: 'value' | 'key' | 'after' = 'value';
    for (;;) {
      if (expect === 'value') {
        ws();
        const c = text[i];
        if (c === '{') {
          open(c);
          if (text[i] === '}') {
            i++;
            stack.pop();
            expect = 'after';
          } else expect = 'key';
          continue;
        }
        if (c === '[') {
          open(c);
          if (text[i] === ']') {
            i++;
            stack.pop();
            expect = 'after';
          } // else: the first element
          continue;
        }
        if (c === '"') string();
        else if (c === 't') literal('true');
        else if (c === 'f') literal('false');
        else if (c === 'n') literal('null');
        else number();
        expect = 'after';
      } else if (expect === 'key') {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        expect = 'value';
      } else {
        ws();
        const top = stack[stack.length - 1];
        if (top === undefined) {
          if (i < text.length) fail();
          return null;
        }
        if (text[i] === ',') {
          i++;
          expect = top === '{' ? 'key' : 'value';
        } else if (text[i] === (top === '{' ? '}' : ']')) {
          i++;
          stack.pop();
        } else fail();
      }
    }
  } catch (err) {
    if (err instanceof Stop) return err.at;
    throw err;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function parseJsonText(text: string, source: string): unknown {
  const err = findJsonError(text);
  if (err) {
    const { line, column } = lineAndColumn(text, err.offset);
    const what =
      err.reason === 'depth'
        ? `too deeply nested (more than ${MAX_JSON_DEPTH} levels of arrays and objects)`
        : `not valid JSON (${err.offset < text.length ? `unexpected ${quote(String.fromCodePoint(text.codePointAt(err.offset)!))}` : 'unexpected end of file'})`;
    throw new JsonSyntaxError(`${source}: line ${line}, column ${column}: ${what}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // Not expected: the scanner accepts exactly what JSON.parse accepts (a unit test compares them).
    throw new JsonSyntaxError(`${source}: not valid JSON (${printable((e as Error).message)})`);
  }
}
