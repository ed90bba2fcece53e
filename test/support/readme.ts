// Reading the README from tests that keep it in step with the code: one `## ` section, its tables and its JSON examples.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const README = path.resolve(__dirname, '..', '..', '..', 'README.md');

/** The text of the `## <title>` section, up to the next `## ` heading; throws when the section is absent. */
export function readmeSection(title: string): string {
  const lines = readFileSync(README, 'utf8').split('\n');
  const start = lines.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The rows of the first Markdown table in `text`, each as its cells (header and separator rows left out). */
export function markdownTableRows(text: string): string[][] {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  if (first < 0) return [];
  const table: string[] = [];
  for (const l of lines.slice(first)) {
    if (!l.startsWith('|')) break;
    table.push(l);
  }
  // A cell may hold an escaped pipe (\|); split only on the others.
  const cells = (row: string) =>
    row
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
  return table.slice(2).map(cells);
}

/** Every fenced ```json block of `text`, parsed; a block that does not parse throws, naming its first line. */
export function jsonBlocks(text: string): unknown[] {
  return [...text.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map(([, body]) => {
    try {
      return JSON.parse(body);
    } catch (err) {
      throw new Error(`a JSON example in README.md does not parse (${(err as Error).message}): ${body.split('\n')[0]}`, { cause: err });
    }
  });
}
