// A committed history with its run's input changed, as if the run had started with other settings: what the guard
// against a changed assignment replays (a split's weights changed must move the customer to another variant, and the
// replay must then fail for nondeterminism, since the history holds the commands of the variant first taken).
import { readFileSync } from 'node:fs';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { CampaignRunInput } from '../../src/contract';

export function withInput(dir: string, workflowId: string, change: (input: CampaignRunInput) => void): HistoryAndWorkflowId {
  const json = JSON.parse(readFileSync(`${dir}/${workflowId}`, 'utf8'));
  const payload = json.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as CampaignRunInput;
  change(input);
  payload.data = Buffer.from(JSON.stringify(input)).toString('base64');
  return { workflowId, history: historyFromJSON(json) };
}

/** The input of a committed history's run. */
export function inputOf(dir: string, workflowId: string): CampaignRunInput {
  let got: CampaignRunInput | undefined;
  withInput(dir, workflowId, (i) => (got = structuredClone(i)));
  return got!;
}
