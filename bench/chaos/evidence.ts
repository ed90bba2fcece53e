// What the chaos run collects for its checks: every decision the ledger's claims made (a trigger of the chaos database's
// own), the runs from Temporal's visibility with their results from their histories (searched for addresses on the way),
// the ledger, the fake's accepted messages and which of them its events reported to the service, the customers left
// and their tags.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { CampaignRunResult } from '../../src/contract';
import type { Db } from '../../src/db/knex';
import type { AcceptedMessage } from '../../dev/sendgridFake';
import type { WebhookDelivery } from '../../dev/sendgridFakeEvents';
import { describeHits, scanHistories } from '../../test/support/historyAddresses';
import type { FakeMessage, LedgerRow, RunRecord } from './checks';

/**
 * The ledger keeps only the last decision of a send (decided_at is overwritten by each claim); a send retried after a
 * lost answer may have had a message accepted under an earlier one. This trigger keeps every decision, in a table of
 * the chaos database alone (not a migration: the product has no use for it).
 */
export async function installDecisionLog(db: Db): Promise<void> {
  await db.raw(`
    create table chaos_decisions (run_key text not null, action_id text not null, decided_at timestamptz not null);
    create function chaos_log_decision() returns trigger language plpgsql as $$
    begin
      if new.decided_at is not null and (tg_op = 'INSERT' or new.decided_at is distinct from old.decided_at) then
        insert into chaos_decisions (run_key, action_id, decided_at) values (new.run_key, new.action_id, new.decided_at);
      end if;
      return null;
    end $$;
    create trigger chaos_log_decision after insert or update on send_ledger
      for each row execute function chaos_log_decision();`);
}

export async function decisions(db: Db): Promise<{ sendKey: string; at: number }[]> {
  // Epoch milliseconds with the microseconds kept (a JS Date would drop them).
  const { rows } = await db.raw(
    "select run_key || '/' || action_id as send_key, extract(epoch from decided_at) * 1000 as at from chaos_decisions",
  );
  return rows.map((r: { send_key: string; at: string }) => ({ sendKey: r.send_key, at: Number(r.at) }));
}

export async function ledgerRows(db: Db, campaignId: string): Promise<LedgerRow[]> {
  return db('send_ledger')
    .where({ campaign_id: campaignId })
    .select(
      'run_key',
      'action_id',
      'customer_id',
      'status',
      'skip_reasons',
      'provider_message_id',
      'possible_duplicate',
      'failure_reason',
      'confirmed_by_event',
      'duplicate_confirmed',
    );
}

export function fakeMessages(accepted: AcceptedMessage[]): FakeMessage[] {
  return accepted.map((m) => ({
    sendKey: String(m.body.custom_args?.send_key ?? m.body.personalizations?.[0]?.custom_args?.send_key),
    messageId: m.messageId,
    receivedAt: Date.parse(m.receivedAt),
  }));
}

/**
 * The messages (X-Message-Id) of which at least one event reached the service: posted in a batch it answered 2xx, which
 * it does only once the batch is stored and applied. An event the fake gave up on (its receiver never answered 2xx)
 * does not count, nor one still waiting for a retry.
 */
export function reportedMessages(events: Record<string, unknown>[], deliveries: WebhookDelivery[]): Set<string> {
  const answered = new Set(deliveries.filter((d) => d.status >= 200 && d.status < 300).flatMap((d) => d.sgEventIds));
  const out = new Set<string>();
  for (const e of events)
    if (answered.has(String(e.sg_event_id)) && typeof e.sg_message_id === 'string') out.add(e.sg_message_id.split('.')[0]);
  return out;
}

/** Every customer still there, and which of them carry `tag`. */
export async function customersLeft(db: Db, tag: string): Promise<{ existing: Set<string>; tagged: Set<string> }> {
  const rows: { id: string; tagged: boolean }[] = await db('customers').select(
    'external_id as id',
    db.raw('? = any(tags) as tagged', [tag]),
  );
  return { existing: new Set(rows.map((r) => r.id)), tagged: new Set(rows.filter((r) => r.tagged).map((r) => r.id)) };
}

function completedResult(history: History): CampaignRunResult | undefined {
  const payload = history.events?.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes
    ?.result?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<CampaignRunResult>(payload) : undefined;
}

/**
 * The campaign's runs as visibility lists them, each with its result read from its history, and the search of every
 * history on the server (runs and launches) for `addresses`.
 */
export async function runsAndHistories(
  client: Client,
  campaignId: string,
  addresses: string[],
): Promise<{ runs: RunRecord[]; lastCloseTime: number; histories: number; historyHits: string[] }> {
  const prefix = `campaign-run:${campaignId}:`;
  const runs = new Map<string, RunRecord>();
  let lastCloseTime = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowType="campaignRun" AND CampaignId="${campaignId}"`, pageSize: 1000 })) {
    runs.set(wf.workflowId, { customerId: wf.workflowId.slice(prefix.length), status: wf.status.name });
    lastCloseTime = Math.max(lastCloseTime, wf.closeTime?.getTime() ?? 0);
  }
  const { histories, hits } = await scanHistories(client, addresses, undefined, (ids, history) => {
    const run = runs.get(ids.workflowId);
    if (run) run.result = completedResult(history);
  });
  return { runs: [...runs.values()], lastCloseTime, histories, historyHits: describeHits(hits) };
}
