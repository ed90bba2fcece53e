// How the CLI says why a launch stopped without completing: one line per way a workflow can end badly.
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { LaunchEndedError, launchEndedError } from '../../src/runs/launchWatch';

const ended = (cause: Error) =>
  launchEndedError('welcome', 'spring', new WorkflowFailedError('Workflow execution failed', cause, 'NON_RETRYABLE_FAILURE'));

describe('why a launch ended', () => {
  it('failed: the root failure and its type', () => {
    const page = ApplicationFailure.nonRetryable('campaign welcome version 3 is not stored', 'CampaignNotFound');
    const e = ended(new ActivityFailure('Activity task failed', 'startLaunchPage', '1', 'NON_RETRYABLE_FAILURE', undefined, page));
    assert.ok(e instanceof LaunchEndedError);
    assert.equal(e.message, 'launch spring of campaign welcome failed: campaign welcome version 3 is not stored (CampaignNotFound)');
  });

  it('terminated: the reason, when one was given', () => {
    assert.equal(
      ended(new TerminatedFailure('wrong audience')).message,
      'launch spring of campaign welcome was terminated: wrong audience',
    );
    assert.equal(ended(new TerminatedFailure('Workflow execution terminated')).message, 'launch spring of campaign welcome was terminated');
  });

  it('cancelled and timed out', () => {
    assert.equal(ended(new CancelledFailure('Workflow canceled')).message, 'launch spring of campaign welcome was cancelled');
    assert.equal(
      ended(new TimeoutFailure('Workflow execution timed out', undefined, 'START_TO_CLOSE')).message,
      'launch spring of campaign welcome timed out',
    );
  });

  it('anything else is not a launch that ended: passed on as it is', () => {
    const grpc = new Error('14 UNAVAILABLE: connection refused');
    assert.equal(launchEndedError('welcome', 'spring', grpc), grpc);
  });
});
