import type { ActionHandler } from '../../workflows/actions/types';
import { runVariant } from '../../workflows/actions/variants';

/** Control group: a split of two groups, `control` (percent) and `target` (the rest); see runVariant. */
export const controlGroupHandler: ActionHandler = (node, run) => runVariant(node, run);
