import type { ActionHandler } from '../../workflows/actions/types';
import { runVariant } from '../../workflows/actions/variants';

/** Split (A/B test): the customer's variant, by weight, and only its children (the logic is the Control group's too). */
export const splitHandler: ActionHandler = (node, run) => runVariant(node, run);
