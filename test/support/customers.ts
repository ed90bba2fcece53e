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

function line(prefix: string, over: CustomerFields): TestCustomer & CustomerFields {
  const id = uid(prefix);
  return { id, email: `${id}@example.com`, emailSubscribed: true, ...over };
}

/** Imports one customer; `prefix` starts the id (it names the test in a history or a log). */
export async function customer(over: CustomerFields = {}, prefix = 'c'): Promise<TestCustomer> {
  const [c] = await customers(1, over, prefix);
  return c;
}

/** Imports `n` customers alike but for their ids and addresses, in one import. */
export async function customers(n: number, over: CustomerFields = {}, prefix = 'c'): Promise<TestCustomer[]> {
  const lines = Array.from({ length: n }, () => line(prefix, over));
  await importLines(lines);
  return lines.map((l) => ({ id: l.id, email: l.email }));
}
