import assert from 'node:assert/strict';
import { ApplicationFailure, defaultPayloadConverter, type ProtoFailure } from '@temporalio/common';
import { failureConverter, framesWithoutPaths } from '../../src/temporal/failureConverter';

const HOST_PATH = /(?:^|[\s(])(?:\/|[A-Za-z]:\\|file:|webpack:)/m;

function encode(err: unknown): ProtoFailure {
  return failureConverter.errorToFailure(err, defaultPayloadConverter);
}

describe('the failure converter (no host paths in histories)', () => {
  it('keeps only the frames of a stack trace, each without its path', () => {
    const stack = [
      '/app/dist/workflow-bundle.js:6627',
      '            throw this.workflowTaskError;',
      '            ^',
      '',
      'TypeError: cannot send to ann@example.com',
      '    at countActions (/app/src/workflows/campaignRun.ts:57:15)',
      '    at async /app/node_modules/@temporalio/worker/lib/worker.js:813:30',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at file:///home/ann/app/x.mjs:1:2',
      '    at C:\\app\\dist\\y.js:3:4',
      '    at webpack://campaign-runner/./src/z.ts:5:6',
      '    at new Promise (<anonymous>)',
    ].join('\n');
    assert.equal(
      framesWithoutPaths(stack),
      [
        '    at countActions (campaignRun.ts:57:15)',
        '    at async worker.js:813:30',
        '    at process.processTicksAndRejections (task_queues:95:5)',
        '    at x.mjs:1:2',
        '    at y.js:3:4',
        '    at z.ts:5:6',
        '    at new Promise (<anonymous>)',
      ].join('\n'),
    );
  });

  it('encodes an error and its causes without paths or message text in the stack traces', () => {
    const cause = new Error('connect ECONNREFUSED for ann@example.com');
    const err = ApplicationFailure.create({ message: 'send failed', type: 'SendGridUnavailable', cause });
    const f = encode(err);
    assert.equal(f.message, 'send failed');
    assert.equal(f.applicationFailureInfo?.type, 'SendGridUnavailable');
    assert.equal(f.cause?.message, 'connect ECONNREFUSED for ann@example.com', 'messages are left to whoever wrote them');
    for (const t of [f.stackTrace!, f.cause!.stackTrace!]) {
      assert.ok(t.length > 0, 'frames are kept');
      assert.doesNotMatch(t, HOST_PATH);
      assert.doesNotMatch(t, /ann@example\.com|send failed/);
      for (const line of t.split('\n')) assert.match(line, /^\s+at /);
    }
    const back = failureConverter.failureToError(f, defaultPayloadConverter);
    assert.ok(back instanceof ApplicationFailure);
    assert.equal(back.message, 'send failed');
    assert.equal(back.type, 'SendGridUnavailable');
  });

  it('a failure decoded from a history and thrown on is re-encoded without paths, the decoded one left as it was', () => {
    const stored: ProtoFailure = {
      message: 'refused',
      stackTrace: 'ApplicationFailure: refused\n    at failureFor (/work/main/dist/src/activities/sendEmail.js:103:50)',
      applicationFailureInfo: { type: 'SendGridRejected', nonRetryable: true },
    };
    const decoded = failureConverter.failureToError(stored, defaultPayloadConverter);
    const f = encode(decoded);
    assert.equal(f.stackTrace, '    at failureFor (sendEmail.js:103:50)');
    assert.equal(f.applicationFailureInfo?.type, 'SendGridRejected');
    assert.match(stored.stackTrace!, /\/work\/main/);
  });
});
