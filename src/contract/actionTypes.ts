// The one list of action types. Each is a module, src/actions/<type>/, and the three registries that list them (its
// definition in src/actions/index.ts, its workflow handler in src/actions/workflows.ts, its activities in
// src/actions/activities.ts) are keyed by ActionType, so `tsc` fails when a type added here lacks any of its parts.
export const ACTION_TYPES = ['sendEmail', 'setTag', 'wait', 'waitUntil', 'checkEmailStatus', 'split', 'controlGroup'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export function isActionType(type: string): type is ActionType {
  return (ACTION_TYPES as readonly string[]).includes(type);
}
