// Line and column of an offset in a template, from an index of line starts. liquidjs (10.x) computes a token's position
// by scanning the template from its first character, and its static analysis asks once per variable: a check grew with
// the square of the template (a 900,000-character template with 2,000 outputs at its end took over 10 s to check).
// installFastPositions() gives liquidjs' tokens the same answer from the index.
import { Token } from 'liquidjs';

// The last template indexed: analysis asks about one template many times in a row.
let indexed: { input: string; lineStarts: number[] } | undefined;

function lineStarts(input: string): number[] {
  if (indexed?.input !== input) {
    const starts = [0];
    for (let i = input.indexOf('\n'); i !== -1; i = input.indexOf('\n', i + 1)) starts.push(i + 1);
    indexed = { input, lineStarts: starts };
  }
  return indexed.lineStarts;
}

/** 1-based line and column of `offset` in `input`, as liquidjs counts them (a column counts UTF-16 units). */
export function positionOf(input: string, offset: number): [line: number, column: number] {
  const starts = lineStarts(input);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return [lo + 1, offset - starts[lo] + 1];
}

let installed = false;

export function installFastPositions(): void {
  if (installed) return;
  installed = true;
  Token.prototype.getPosition = function (this: Token) {
    return positionOf(this.input, this.begin);
  };
}
