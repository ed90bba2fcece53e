// Reading a campaign file: JSON syntax errors are reported with line and column, not a character offset.
export class JsonSyntaxError extends Error {}

export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset).split('\n');
      throw new JsonSyntaxError(`${source}: line ${before.length}, column ${before[before.length - 1].length + 1}: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
    }
    throw new JsonSyntaxError(`${source}: ${msg}`);
  }
}
