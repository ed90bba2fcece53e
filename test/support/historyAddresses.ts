// The suite-wide privacy check: no workflow history on the test server may hold an address from the test data.
// Payloads (inputs, results, failure details, search attributes, memos, summaries) are base64 in a history's JSON, so
// every payload's data is decoded and searched too, not only the JSON text.
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { Db } from '../../src/db/knex';
import type { SendGridFake } from '../../dev/sendgridFake';

export interface AddressHit {
  workflowId: string;
  runId: string;
  eventId: string;
  eventType: string;
  /** the full address: for assertions only, never print it (use `partial`) */
  address: string;
}

export interface ScanReport {
  histories: number;
  hits: AddressHit[];
}

/** Enough of an address to find it in the test data, not enough to print a customer's address. */
export function partial(address: string): string {
  return `${address.slice(0, 3)}… (${address.length} chars)`;
}

function collectBcc(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectBcc(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'bcc' && Array.isArray(v)) v.filter((b) => typeof b === 'string').forEach((b) => out.add(b));
      else collectBcc(v, out);
    }
  }
}

/**
 * Every address of the test data, lower-cased: each customer's `email` (invalid ones too: they are still the
 * customer's), each BCC address of every stored campaign version, and every recipient the SendGrid fake saw.
 */
export async function testDataAddresses(db: Db, fake: SendGridFake): Promise<string[]> {
  const out = new Set<string>();
  for (const { email } of await db('customers').whereNotNull('email').select('email')) out.add(email);
  for (const { document } of await db('campaign_versions').select('document')) collectBcc(document, out);
  for (const r of [...fake.requests(), ...fake.accepted()]) {
    const ps = (r.body as { personalizations?: unknown })?.personalizations;
    for (const p of Array.isArray(ps) ? ps : []) {
      for (const kind of ['to', 'cc', 'bcc']) {
        const list = (p as Record<string, unknown>)?.[kind];
        for (const e of Array.isArray(list) ? list : []) if (typeof e?.email === 'string') out.add(e.email);
      }
    }
  }
  return [...out].map((a) => a.trim().toLowerCase()).filter((a) => a.length > 0);
}

/** Which of a set of addresses a text holds. */
export type AddressFinder = (text: string) => string[];

/** Characters on each side of an address's first '@' that index it. */
const AROUND = 3;

/**
 * A search for many addresses at once (a chaos run checks tens of thousands in tens of thousands of histories, where a
 * substring search per address would take hours). An address with an '@' is indexed by the few characters around its
 * first '@': each '@' in the text is looked up, and a candidate is confirmed where the whole address would start. The
 * few addresses without an '@' are searched plainly. Finds exactly what `text.includes(address)` finds.
 */
export function addressFinder(addresses: string[]): AddressFinder {
  const index = new Map<string, { address: string; at: number }[]>();
  const windows = new Set<string>(); // the (left, right) widths in use, as "l,r"
  const plain: string[] = [];
  for (const address of new Set(addresses)) {
    const at = address.indexOf('@');
    if (at < 0) {
      plain.push(address);
      continue;
    }
    const left = Math.min(AROUND, at);
    const right = Math.min(AROUND, address.length - at - 1);
    const key = `${left},${right}:${address.slice(at - left, at + 1 + right)}`;
    windows.add(`${left},${right}`);
    if (!index.has(key)) index.set(key, []);
    index.get(key)!.push({ address, at });
  }
  const widths = [...windows].map((w) => w.split(',').map(Number) as [number, number]);
  return (text) => {
    const found = new Set<string>(plain.filter((a) => text.includes(a)));
    for (let p = text.indexOf('@'); p >= 0; p = text.indexOf('@', p + 1)) {
      for (const [left, right] of widths) {
        if (p - left < 0 || p + 1 + right > text.length) continue;
        for (const c of index.get(`${left},${right}:${text.slice(p - left, p + 1 + right)}`) ?? []) {
          if (text.startsWith(c.address, p - c.at)) found.add(c.address);
        }
      }
    }
    return [...found];
  };
}

/** The searchable text of one history event: its protobuf JSON plus the decoded data of every payload in it. */
export function eventTexts(event: unknown): string {
  const texts: string[] = [JSON.stringify(event)];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // Payload.data (bytes) is base64 in protobuf JSON.
        if (k === 'data' && typeof x === 'string') texts.push(Buffer.from(x, 'base64').toString('utf8'));
        else walk(x);
      }
    }
  };
  walk(event);
  return texts.join('\n').toLowerCase();
}

/** The hits of `addresses` (lower-cased; or a finder built from them, to search many histories) in one history. */
export function addressesInHistory(
  history: History,
  addresses: string[] | AddressFinder,
  ids: { workflowId: string; runId: string },
): AddressHit[] {
  const find = typeof addresses === 'function' ? addresses : addressFinder(addresses);
  const events: { eventId?: string; eventType?: string }[] = JSON.parse(historyToJSON(history)).events ?? [];
  const hits: AddressHit[] = [];
  for (const event of events) {
    for (const address of find(eventTexts(event))) {
      hits.push({ ...ids, eventId: String(event.eventId), eventType: String(event.eventType), address });
    }
  }
  return hits;
}

function notFound(err: unknown): boolean {
  const e = err as { name?: string; code?: number; cause?: { code?: number } };
  return e?.name === 'WorkflowNotFoundError' || e?.code === 5 || e?.cause?.code === 5;
}

/**
 * Fetches the history of every workflow execution `query` lists (all of them by default) and searches it for
 * `addresses`. An execution deleted since it was listed is skipped. `onHistory` sees each history fetched (the chaos
 * run reads the runs' results from them, so that each history is fetched once).
 */
export async function scanHistories(
  client: Client,
  addresses: string[],
  query?: string,
  onHistory?: (ids: { workflowId: string; runId: string }, history: History) => void,
): Promise<ScanReport> {
  const find = addressFinder(addresses);
  const executions: { workflowId: string; runId: string }[] = [];
  for await (const wf of client.workflow.list(query ? { query } : {})) executions.push({ workflowId: wf.workflowId, runId: wf.runId });
  const hits: AddressHit[] = [];
  let histories = 0;
  let next = 0;
  // A few fetches at a time: the test server is one SQLite connection on a 2-core machine.
  const fetcher = async (): Promise<void> => {
    while (next < executions.length) {
      const ids = executions[next++];
      let history: History;
      try {
        history = await client.workflow.getHandle(ids.workflowId, ids.runId).fetchHistory();
      } catch (err) {
        if (notFound(err)) continue;
        throw err;
      }
      histories++;
      onHistory?.(ids, history);
      hits.push(...addressesInHistory(history, find, ids));
    }
  };
  await Promise.all(Array.from({ length: 4 }, fetcher));
  return { histories, hits };
}

/** One line per hit, with the address shown only partially. */
export function describeHits(hits: AddressHit[]): string[] {
  return hits.map(
    (h) => `workflow ${h.workflowId} (run ${h.runId}), event ${h.eventId} ${h.eventType}: holds the address ${partial(h.address)}`,
  );
}
