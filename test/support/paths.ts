// The checkout's root, found from this file: the tests run compiled (dist/test/..., `npm test`) and from source
// (test/..., `npm run test:unit`), so no fixed number of '..' reaches it from both.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = findRoot(__dirname);

/** A path inside the checkout, e.g. fromRoot('demo', 'customers.jsonl'). */
export function fromRoot(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}
