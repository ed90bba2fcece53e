// `campaign-runner why`: for one customer's run of a campaign, each action's decision, when it was taken, what the rules
// saw, the attempts, the ledger's status, SendGrid's events since, and the run's Temporal Web link. The database says
// most of it (the ledger, webhook events, the flow log); Temporal says how the run stands and each action's outcome.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { campaignRunWorkflowId, type ActionOutcome, type CampaignRunResult, type CampaignRunWorkflow } from '../contract';
import type { Action, Campaign } from '../campaigns/types';
import { walkActions } from '../campaigns/validate';
import { ACTION_TYPES, describeOutcome } from '../contract';
import { definitionOf } from '../actions';
import { loadCampaignVersion, loadLatestCampaign } from '../db/campaigns';
import type { Db } from '../db/knex';
import { flowHistory, sendHistory, type FlowHistory, type SendHistory } from '../db/sendHistory';
import { describeRuleInputs } from '../email/ruleInputs';

/** The type whose actions write the send ledger: the one a ledger row without its action in the version came from. */
const LEDGER_TYPE = ACTION_TYPES.find((t) => definitionOf(t).sendsEmail)!;

export interface RunState {
  workflowId: string;
  /** null: Temporal has no run with this id; `unreachable`: Temporal could not be asked */
  status: string | null;
  runId?: string;
  startedAt?: string;
  closedAt?: string;
  /** Temporal Web's page for the run */
  webUrl: string;
  /** why Temporal could not be asked */
  note?: string;
}

export interface ActionWhy {
  actionId: string;
  type: string;
  /** the run's outcome for the action (a finished run's result) */
  outcome: ActionOutcome | null;
  /** Send e-mail: the ledger's row */
  send: SendHistory | null;
  /** Wait, Wait until, Check e-mail status: the flow log's row */
  flow: FlowHistory | null;
}

export interface Why {
  campaignId: string;
  customerId: string;
  /** the version the run ran (from its rows or its result), else the latest stored one */
  campaignVersion: number | null;
  versionFrom: 'run' | 'latest' | null;
  run: RunState;
  actions: ActionWhy[];
}

export interface WhyDeps {
  db: Db;
  /** the Temporal client (connected on first use); its failure leaves the run's state unknown, not the command failed */
  client: () => Promise<Client>;
  webUrl: (workflowId: string, runId?: string) => string;
}

async function runState(d: WhyDeps, workflowId: string): Promise<{ state: RunState; result: CampaignRunResult | null }> {
  let client: Client;
  try {
    client = await d.client();
    const handle = client.workflow.getHandle<CampaignRunWorkflow>(workflowId);
    const desc = await handle.describe();
    const state: RunState = {
      workflowId,
      status: desc.status.name,
      runId: desc.runId,
      startedAt: desc.startTime.toISOString(),
      ...(desc.closeTime ? { closedAt: desc.closeTime.toISOString() } : {}),
      webUrl: d.webUrl(workflowId, desc.runId),
    };
    const result = desc.status.name === 'COMPLETED' ? await handle.result() : null;
    return { state, result };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { state: { workflowId, status: null, webUrl: d.webUrl(workflowId) }, result: null };
    const message = String((err as Error)?.message ?? err).split('\n')[0];
    return { state: { workflowId, status: 'unreachable', webUrl: d.webUrl(workflowId), note: message }, result: null };
  }
}

export async function why(d: WhyDeps, campaignId: string, customerId: string): Promise<Why> {
  const workflowId = campaignRunWorkflowId(campaignId, customerId);
  const [sends, flows, { state, result }] = await Promise.all([
    sendHistory(d.db, campaignId, customerId),
    flowHistory(d.db, campaignId, customerId),
    runState(d, workflowId),
  ]);
  const ranVersion = sends[0]?.campaignVersion ?? flows[0]?.campaignVersion ?? result?.campaignVersion;
  let campaign: Campaign | null = null;
  let versionFrom: Why['versionFrom'] = null;
  let version: number | null = null;
  if (ranVersion !== undefined) {
    campaign = await loadCampaignVersion(d.db, campaignId, ranVersion);
    version = ranVersion;
    versionFrom = 'run';
  } else {
    const latest = await loadLatestCampaign(d.db, campaignId);
    if (latest) ({ campaign, version } = latest);
    if (latest) versionFrom = 'latest';
  }
  const actions: ActionWhy[] = [];
  const listed = new Set<string>();
  const add = (actionId: string, type: string) => {
    listed.add(actionId);
    actions.push({
      actionId,
      type,
      outcome: result?.actions.find((a) => a.actionId === actionId)?.outcome ?? null,
      send: sends.find((s) => s.actionId === actionId) ?? null,
      flow: flows.find((f) => f.actionId === actionId) ?? null,
    });
  };
  if (campaign) walkActions(campaign.actions, (a: Action) => add(a.id, a.type));
  // Rows of actions the version does not hold (it should not happen; shown rather than hidden).
  for (const s of sends) if (!listed.has(s.actionId)) add(s.actionId, LEDGER_TYPE);
  for (const f of flows) if (!listed.has(f.actionId)) add(f.actionId, f.actionType);
  return { campaignId, customerId, campaignVersion: version, versionFrom, run: state, actions };
}

/** The ledger row's decision in a few words. */
function ledgerDecision(s: SendHistory): string {
  switch (s.status) {
    case 'sent':
      return `sent (message ${s.messageId})${s.possibleDuplicate ? ', possibly a duplicate' : ''}${s.confirmedByEvent ? `, confirmed by a ${s.confirmedByEvent} event` : ''}`;
    case 'skipped':
      return `skipped: ${(s.skipReasons ?? []).join(', ')}`;
    case 'failed':
      return `failed (${s.failureReason ?? 'no reason recorded'}): ${s.error ?? ''}`.replace(/: $/, '');
    case 'cancelled':
      return `cancelled (${s.failureReason ?? 'cancelled'})`;
    case 'unknown':
      return 'unknown: SendGrid may have the message; the run waits for its word';
    default:
      return `${s.status} (being sent)`;
  }
}

export function formatWhy(w: Why): string {
  const lines: string[] = [];
  const version =
    w.campaignVersion === null
      ? 'no stored version'
      : `version ${w.campaignVersion}${w.versionFrom === 'latest' ? ' (the latest: the run left no rows)' : ''}`;
  lines.push(`campaign ${w.campaignId} ${version}, customer ${w.customerId}`);
  const r = w.run;
  const status =
    r.status === null ? 'no such run' : r.status === 'unreachable' ? `Temporal could not be asked (${r.note})` : r.status.toLowerCase();
  const times = [r.startedAt && `started ${r.startedAt}`, r.closedAt && `closed ${r.closedAt}`].filter(Boolean).join(', ');
  lines.push(`run ${r.workflowId}: ${status}${times ? ` (${times})` : ''}`);
  lines.push(`  ${r.webUrl}`);
  for (const a of w.actions) {
    lines.push('');
    const decision = a.send
      ? ledgerDecision(a.send)
      : a.outcome
        ? describeOutcome(a.outcome)
        : a.flow
          ? (a.flow.outcome ?? 'waiting')
          : 'not reached';
    lines.push(`${a.actionId} (${definitionOf(a.type)?.title ?? a.type}): ${decision}`);
    if (a.send) {
      const s = a.send;
      lines.push(`  decided: ${s.decidedAt ?? 'not recorded'}; attempts: ${s.attempts}; ledger status: ${s.status}`);
      if (s.inputs) {
        lines.push(`  rule inputs (decision: ${s.inputs.outcome}${s.inputs.reasons.length ? `: ${s.inputs.reasons.join(', ')}` : ''}):`);
        for (const l of describeRuleInputs(s.inputs)) lines.push(`    ${l}`);
      } else {
        lines.push('  rule inputs: not recorded (decided before they were kept)');
      }
      if (s.events.length === 0) lines.push('  SendGrid events since: none');
      else {
        lines.push('  SendGrid events since:');
        for (const e of s.events)
          lines.push(
            `    ${e.at} ${e.event}${e.matched === 'recipient' ? '' : ` (${e.matched.replace('_', ' ')})`}${e.effects ? `: ${e.effects}` : ''}`,
          );
      }
      if (a.outcome && a.outcome.status !== s.status) lines.push(`  the run's outcome: ${describeOutcome(a.outcome)}`);
    } else if (a.flow) {
      const f = a.flow;
      const parts = [
        `reached ${f.reachedAt}`,
        f.waitingUntil && `waiting until ${f.waitingUntil}`,
        f.finishedAt && `finished ${f.finishedAt}`,
      ];
      lines.push(`  ${parts.filter(Boolean).join('; ')}`);
    }
  }
  return lines.join('\n');
}
