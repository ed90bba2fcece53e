// The one customer builder of the tests: a customer imported as a user imports one (src/db/customerImport.ts), with an
// id no other test shares and an address at example.com, subscribed to the e-mail channel, so that a campaign can send
// to them unless the test says otherwise.
import { importLines, uid } from './harness';

/** Fields of an import line (src/db/customerLine.ts) to set or replace: `email: null` for none, `emailSubscribed: false`... */
export type CustomerFields = Record<string, unknown>;

export interface TestCustomer {
  id: string;
  /** the address the line was imported with (`<id>@example.com` unless `over` gave another) */
  email: string;
}

function line(id: string, over: CustomerFields) {
  return { id, email: `${id}@example.com`, emailSubscribed: true, ...over };
}

/** Imports one customer; `prefix` starts the id (it names the test in a history or a log). */
export async function customer(over: CustomerFields = {}, prefix = 'c'): Promise<TestCustomer> {
  const l = line(uid(prefix), over);
  await importLines([l]);
  return { id: l.id, email: l.email as string };
}

/**
 * Imports customers alike but for their ids and addresses, in one import: `n` new ones, or these ids (a test that
 * names them); returns the ids.
 */
export async function customers(idsOrCount: number | string[], over: CustomerFields = {}, prefix = 'c'): Promise<string[]> {
  const ids = typeof idsOrCount === 'number' ? Array.from({ length: idsOrCount }, () => uid(prefix)) : idsOrCount;
  await importLines(ids.map((id) => line(id, over)));
  return ids;
}

/**
 * Import lines (not imported yet) for `n` customers with ids `<prefix>-0000`, `<prefix>-0001`... (their order is the
 * order a launch pages in), each subscribed at `<id>@example.com`, with `fields(i, id)` set or replaced: a launch's
 * audience, say, tagged alike.
 */
export function numberedLines(prefix: string, n: number, fields: (i: number, id: string) => CustomerFields = () => ({})) {
  return Array.from({ length: n }, (_, i) => {
    const id = `${prefix}-${String(i).padStart(4, '0')}`;
    return line(id, fields(i, id)) as { id: string; email: string } & CustomerFields;
  });
}
