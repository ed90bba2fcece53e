import { upsertSearchAttributes } from '@temporalio/workflow';
import { assignVariant, VariantKey, type ActionNode } from '../../contract';
import type { HandlerResult, RunContext } from './types';
import { record } from './waiting';

/**
 * Split and Control group alike: the customer's variant (a control group's group) follows from the campaign, the action
 * and the customer alone (assignVariant), so a replay, a retried task and a second run of the same customer all agree.
 * It is recorded three ways: the action's outcome in the run's result, the Variant search attribute (the last split's,
 * in a run with several), and one flow_log
 * row (outcome: the variant's name) that the report counts; then only that variant's children run.
 */
export async function runVariant(node: ActionNode, run: RunContext): Promise<HandlerResult> {
  const variants = node.split?.variants;
  if (!variants?.length)
    return { outcome: { status: 'failed', error: `the run has no variants for ${node.type} ${node.id}` }, runChildren: false };
  const { campaignId, customerId } = run.input;
  const variant = assignVariant(variants, { campaignId, actionId: node.id, customerId });
  if (!variant) return { outcome: { status: 'failed', error: `no variant of ${node.id} has a weight` }, runChildren: false };
  // One Keyword (see VariantKey): the last split decided sets it.
  upsertSearchAttributes([{ key: VariantKey, value: variant.name }]);
  await record(node, run, variant.name);
  return { outcome: { status: 'done', variant: variant.name }, runChildren: variant.children.length > 0, children: [...variant.children] };
}
