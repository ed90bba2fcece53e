// The action types' activities: each type's activity.ts makes them from the worker's dependencies, and this list, keyed
// by the contract's ActionType, gathers them (a type without activities says so). createActivities
// (src/activities/index.ts) adds them to the activities every type shares. An activity's name is its Temporal activity
// type: histories hold it, so a name never changes.
import { ACTION_TYPES, type ActionType } from '../contract';
import type { CampaignCache } from '../activities/campaignCache';
import type { Db } from '../db/knex';
import type { Mailer } from '../email/mailer';
import type { UnsubscribeLinkConfig } from '../email/unsubscribeToken';
import { checkEmailStatusActivities } from './checkEmailStatus/activity';
import { sendEmailActivities } from './sendEmail/activity';
import { setTagActivities } from './setTag/activity';

export interface ActionActivityDeps {
  db: Db;
  mailer: Mailer;
  /** the stored campaign versions, each parsed and prepared once */
  campaigns: CampaignCache;
  /** how long one attempt owns a send; must exceed the SendGrid client timeout */
  sendLeaseMs: number;
  /** the unsubscribe link every e-mail carries (its base URL and signing secret) */
  unsubscribe?: UnsubscribeLinkConfig;
  /** the time e-mails render at; default the system clock (tests fix it) */
  clock?: () => Date;
}

/**
 * Flow actions (Wait, Wait until, Split, Control group) have no activity of their own: the run carries their settings
 * and waits, or assigns the variant, itself.
 */
const none = () => ({});

export const actionActivities = {
  sendEmail: sendEmailActivities,
  setTag: setTagActivities,
  wait: none,
  waitUntil: none,
  checkEmailStatus: checkEmailStatusActivities,
  split: none,
  controlGroup: none,
} satisfies { readonly [T in ActionType]: (deps: ActionActivityDeps) => object };

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Every action type's activities, by name. */
export type ActionActivities = UnionToIntersection<{ [T in ActionType]: ReturnType<(typeof actionActivities)[T]> }[ActionType]>;

/** Every action type's activities; two types may not name an activity alike. */
export function createActionActivities(deps: ActionActivityDeps): ActionActivities {
  const all: Record<string, unknown> = {};
  for (const type of ACTION_TYPES)
    for (const [name, fn] of Object.entries(actionActivities[type](deps))) {
      if (Object.hasOwn(all, name)) throw new Error(`two action types have an activity named ${name}`);
      all[name] = fn;
    }
  return all as ActionActivities;
}
