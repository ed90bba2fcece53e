// controlGroup: holds a share of customers back (the control group) so that the rest (the target group) can be measured
// against them. A split of two groups, `control` (percent) and `target` (100 - percent): the run carries it as one
// (treeFields) and assigns alike (src/workflows/actions/variants.ts). The children are shared out as a split's are.
import { z } from 'zod';
import { joinPath } from '../../campaigns/jsonPath';
import type { ActionDefinition, TreeCheck } from '../definition';
import { checkChildLists, childIds } from '../split/definition';

export interface ControlGroupSettings {
  /** the share of customers in the control group, in percent */
  percent: number;
  /** the children that run for the control group (usually none) */
  control: string[];
  /** the children that run for everyone else */
  target: string[];
}

export const MAX_CONTROL_PERCENT = 50;

function checkInTree(check: TreeCheck): void {
  const at = (key: string) => ({ path: joinPath(check.path, ['settings', key]), ids: check.settings[key] ?? [] });
  checkChildLists(check, [at('control'), at('target')], { path: joinPath(check.path, ['settings']), none: 'group (control or target)' });
}

export const controlGroup: ActionDefinition<ControlGroupSettings> = {
  title: 'Control group',
  settingsSchema: () =>
    z.strictObject({
      percent: z
        .number({ error: (i) => (i.input === undefined ? 'is required' : `must be a whole number from 0 to ${MAX_CONTROL_PERCENT}`) })
        .int(`must be a whole number from 0 to ${MAX_CONTROL_PERCENT}`)
        .min(0, 'must be at least 0')
        .max(MAX_CONTROL_PERCENT, `must be at most ${MAX_CONTROL_PERCENT} (the control group is the smaller one)`),
      control: childIds.default([]),
      target: childIds.default([]),
    }),
  checkInTree,
  treeFields: ({ percent, control, target }) => ({
    split: {
      variants: [
        { name: 'control', weight: percent, children: [...control] },
        { name: 'target', weight: 100 - percent, children: [...target] },
      ],
    },
  }),
  report: {
    branches: ['control', 'target'],
    branchesCaption: 'the groups',
    label: (settings) => `${settings.percent} % control`,
    // A stored version's settings as validation left them; read without trusting the defaults, as a report reads any
    // version (one stored by other means may lack `control` or `target`).
    childRunsOn: (settings, childId) =>
      settings.control?.includes(childId) ? ['control'] : settings.target?.includes(childId) ? ['target'] : undefined,
  },
};
