// The failure converter of every worker and replayer (workerShared.ts names it as `dataConverter.failureConverterPath`).
// The worker loads it for activities, and the workflow bundle carries it into the sandbox for workflow failures and
// workflow task failures, so it must stay sandbox-safe: it imports only @temporalio/common.
//
// A failure's stack trace goes into the history as it is: a first line that repeats the message (which may hold data,
// a stack being captured before anything redacts the message), and frames with the worker host's paths (/app/dist/...,
// /home/<user>/...). Histories are kept, exported and shown in Temporal Web, so what leaves the worker keeps only the
// frames, each with its file's name and line instead of its path.
import { DefaultFailureConverter, type PayloadConverter, type ProtoFailure, type SerializationContext } from '@temporalio/common';

const FRAME = /^\s+at /;
// Any token with a path separator, up to its last one: "/work/x/dist/a.js:1:2", "file:///x/a.js", "node:internal/x/y",
// "webpack://app/./src/a.ts", "C:\\app\\a.js".
const PATH_PREFIX = /[^\s()]*[/\\]/g;

/** A stack trace's frames only, each without its file's path. */
export function framesWithoutPaths(stackTrace: string): string {
  return stackTrace
    .split(/\r?\n/)
    .filter((line) => FRAME.test(line))
    .map((line) => line.replace(PATH_PREFIX, ''))
    .join('\n');
}

function withoutPaths(failure: ProtoFailure): ProtoFailure {
  return {
    ...failure,
    stackTrace: failure.stackTrace ? framesWithoutPaths(failure.stackTrace) : failure.stackTrace,
    cause: failure.cause ? withoutPaths(failure.cause) : failure.cause,
  };
}

/** The SDK's converter (so failures stay readable by every SDK), with stack traces reduced to path-less frames. */
export class PathlessFailureConverter extends DefaultFailureConverter {
  override errorToFailure(err: unknown, payloadConverter: PayloadConverter, context?: SerializationContext): ProtoFailure {
    // A failure decoded from a history and thrown on (an activity's, in the workflow) comes back as it was: copy it.
    return withoutPaths(super.errorToFailure(err, payloadConverter, context));
  }
}

export const failureConverter = new PathlessFailureConverter();
