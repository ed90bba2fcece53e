// Replays workflow histories against the current workflow code, with the production bundle options: the guard that
// tells, before a deploy, whether the new code can continue the runs already in flight.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { dataConverter, workflowInterceptorModules, workflowsPath } from '../temporal/workerShared';

export interface ReplayFailure {
  /** the history's name: its file for committed histories, the workflow id for live ones */
  name: string;
  runId: string;
  error: string;
}

export interface ReplayReport {
  replayed: number;
  failures: ReplayFailure[];
}

export interface ReplayOptions {
  /** a prebuilt bundle (tests); by default the worker bundles the production workflow code */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

export async function replayHistories(
  histories: AsyncIterable<HistoryAndWorkflowId> | Iterable<HistoryAndWorkflowId>,
  o: ReplayOptions = {},
): Promise<ReplayReport> {
  const failures: ReplayFailure[] = [];
  let replayed = 0;
  // A run of today's generation checks its own workflow id at its start (src/workflows/checkedStart.ts), so each history
  // replays under the id it ran with, which its first event holds; a committed history keeps its file's name for the
  // report. The worker replays one history at a time, in order, so the names are taken in the same order.
  const names: string[] = [];
  async function* underTheirIds() {
    for await (const h of histories) {
      names.push(h.workflowId);
      yield { ...h, workflowId: startedId(h) ?? h.workflowId };
    }
  }
  const results = Worker.runReplayHistories(
    {
      ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
      interceptors: { workflowModules: workflowInterceptorModules },
      dataConverter,
      replayName: 'campaign-runner-replay',
    },
    underTheirIds(),
  );
  for await (const r of results) {
    const name = names[replayed++] ?? r.workflowId;
    if (r.error) failures.push({ name, runId: r.runId, error: `${r.error.name}: ${r.error.message}` });
  }
  return { replayed, failures };
}

/** The workflow id a history ran under, from its WorkflowExecutionStarted event (absent in very old server versions). */
function startedId(h: HistoryAndWorkflowId): string | undefined {
  const id = (h.history as History).events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Committed histories: every *.json below `dir`, named by their path relative to it (the report's name for each). */
export function loadHistoryFiles(dir: string): HistoryAndWorkflowId[] {
  const out: HistoryAndWorkflowId[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) {
        out.push({ workflowId: path.relative(dir, p), history: historyFromJSON(JSON.parse(readFileSync(p, 'utf8'))) });
      }
    }
  };
  walk(dir);
  return out;
}
