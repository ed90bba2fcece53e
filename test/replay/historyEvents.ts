// Reading committed histories: which workflow type a history belongs to and which markers its run recorded. The
// marker layout is the SDK core's: a patch marker is "core_patch" with {id} in details["patch-data"], a local activity's
// is "core_local_activity" with {activity_type, ...} in details.data.
import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';

type Event = NonNullable<History['events']>[number];

/** loadHistoryFiles parses every file into a History; the SDK's type leaves it open. */
const events = (h: HistoryAndWorkflowId): Event[] => (h.history as History).events ?? [];

export function workflowType(h: HistoryAndWorkflowId): string | undefined {
  return events(h)[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}

function markerDetail(e: Event, name: string, key: string): Record<string, unknown> | undefined {
  const m = e.markerRecordedEventAttributes;
  const data = m?.markerName === name ? m.details?.[key]?.payloads?.[0]?.data : undefined;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>) : undefined;
}

/** The patch ids the run recorded markers for. */
export function patchMarkers(h: HistoryAndWorkflowId): string[] {
  return events(h).flatMap((e) => {
    const d = markerDetail(e, 'core_patch', 'patch-data');
    return d ? [String(d.id)] : [];
  });
}

/** How many emailEvent signals the run received. */
export function emailEventSignals(h: HistoryAndWorkflowId): number {
  return events(h).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'emailEvent').length;
}

/** Whether any of the run's timers fired. */
export function timerFired(h: HistoryAndWorkflowId): boolean {
  return events(h).some((e) => !!e.timerFiredEventAttributes);
}

/** The activity types of the run's local activities, one per marker. */
export function localActivityMarkers(h: HistoryAndWorkflowId): string[] {
  return events(h).flatMap((e) => {
    const d = markerDetail(e, 'core_local_activity', 'data');
    return d ? [String(d.activity_type)] : [];
  });
}

/** The activity types of the run's (normal) activities, one per ActivityTaskScheduled. */
export function scheduledActivities(h: HistoryAndWorkflowId): string[] {
  return events(h).flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

const CLOSE_EVENTS = {
  completed: 'workflowExecutionCompletedEventAttributes',
  failed: 'workflowExecutionFailedEventAttributes',
  canceled: 'workflowExecutionCanceledEventAttributes',
  terminated: 'workflowExecutionTerminatedEventAttributes',
  timedOut: 'workflowExecutionTimedOutEventAttributes',
  continuedAsNew: 'workflowExecutionContinuedAsNewEventAttributes',
} as const;

/** How the run closed (its last event): completed, failed, canceled, ...; undefined while it was open. */
export function closedAs(h: HistoryAndWorkflowId): keyof typeof CLOSE_EVENTS | undefined {
  const last = events(h).at(-1);
  return last ? (Object.keys(CLOSE_EVENTS) as (keyof typeof CLOSE_EVENTS)[]).find((k) => last[CLOSE_EVENTS[k]]) : undefined;
}

/** The summaries of the run's timers, in order (Temporal Web shows them). */
export function timerSummaries(h: HistoryAndWorkflowId): string[] {
  return events(h).flatMap((e) => {
    if (!e.timerStartedEventAttributes) return [];
    const data = e.userMetadata?.summary?.data;
    return [data ? String(JSON.parse(Buffer.from(data).toString('utf8'))) : ''];
  });
}

/** The task queue of each (normal) activity the run scheduled. */
export function activityTaskQueues(h: HistoryAndWorkflowId): string[] {
  return events(h).flatMap((e) => {
    const q = e.activityTaskScheduledEventAttributes?.taskQueue?.name;
    return q ? [q] : [];
  });
}
