// The one list of action types. The campaign schema registry (src/campaigns/registry.ts), the workflow handler registry
// (src/workflows/actions/index.ts) and the activity side (src/activities/actionPreparers.ts) are each typed as a record
// keyed by ActionType, so `tsc` fails when a type added here lacks any of its parts.
export const ACTION_TYPES = ['sendEmail', 'setTag', 'wait', 'waitUntil', 'checkEmailStatus'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export function isActionType(type: string): type is ActionType {
  return (ACTION_TYPES as readonly string[]).includes(type);
}
