// Reading the documentation from tests that keep it in step with the code: a file's `## ` section, its tables and its
// JSON examples. Tests read the reference in docs/, where each example lives; of README.md (the guide) only its JSON
// examples are checked, so that editing the guide's prose cannot fail the suite.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

/** The text of a Markdown file of the project, by its path from the project's root (`docs/campaigns.md`). */
export function docText(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** The text of the `## <title>` section of `file`, up to the next `## ` heading; throws when the section is absent. */
export function docSection(file: string, title: string): string {
  const lines = docText(file).split('\n');
  const start = lines.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`${file} has no "## ${title}" section`);
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

/** Every fenced ```json block of `text` (from `file`), parsed; a block that does not parse throws, naming its first line. */
export function jsonBlocks(text: string, file: string): unknown[] {
  return [...text.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map(([, body]) => {
    try {
      return JSON.parse(body);
    } catch (err) {
      throw new Error(`a JSON example in ${file} does not parse (${(err as Error).message}): ${body.split('\n')[0]}`, { cause: err });
    }
  });
}
