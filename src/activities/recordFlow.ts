// The recordFlow local activity: a flow action (Wait, Wait until) was reached, or took its branch (src/db/flowLog.ts).
import type { FlowRecordInput } from '../contract';
import { recordFlow } from '../db/flowLog';
import type { Db } from '../db/knex';

export function createRecordFlow(deps: { db: Db }) {
  return async function recordFlowActivity(input: FlowRecordInput): Promise<void> {
    await recordFlow(deps.db, input);
  };
}
