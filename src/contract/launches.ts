// What crosses the boundary of a launch: the audience's definition and counts, never the list of customers itself
// (a list is stored in Postgres under the campaign and launch id).
import type { RunOptions } from './runs';

/** Who a launch enrols: everyone, the customers with a tag, or a list of ids stored under the campaign and launch id. */
export type Audience = { kind: 'all' } | { kind: 'tag'; tag: string } | { kind: 'list' };

export type ListScope = 'campaign';

export interface LaunchState {
  /** the last customer id whose run was started; pages continue after it */
  cursor: string | null;
  started: number;
  alreadyEnrolled: number;
  pages: number;
}

export interface LaunchInput {
  launchId: string;
  campaignId: string;
  campaignVersion: number;
  audience: Audience;
  pageSize?: number;
  /** pages per workflow run before continue-as-new (default 100) */
  pagesPerRun?: number;
  /** at most this many of the launch's runs in flight before the next page starts (default 1000) */
  maxInFlight?: number;
  runOptions?: RunOptions;
  /**
   * Where a list audience is stored: 'campaign' under (campaign id, launch id). Absent in launches started before lists
   * were keyed by campaign, whose list stays under the launch id alone (launch_audience_legacy).
   */
  listScope?: ListScope;
  /** carried across continue-as-new */
  state?: LaunchState;
}

export interface LaunchProgress extends LaunchState {
  done: boolean;
}

export interface LaunchPageInput {
  launchId: string;
  campaignId: string;
  campaignVersion: number;
  audience: Audience;
  after: string | null;
  pageSize: number;
  /** absent in launches recorded before flow control: no limit */
  maxInFlight?: number;
  runOptions?: RunOptions;
  /** as in LaunchInput */
  listScope?: ListScope;
}

export interface LaunchPageResult {
  /** null when the page was empty */
  lastCustomerId: string | null;
  count: number;
  started: number;
  alreadyEnrolled: number;
}
