// The benches' reading of the Temporal server's Prometheus counters (bench/serverMetrics.ts).
import { strict as assert } from 'node:assert';
import { parseServerCounters } from '../../bench/serverMetrics';

const TEXT = [
  '# HELP persistence_requests persistence_requests counter',
  '# TYPE persistence_requests counter',
  'persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} 5',
  'persistence_requests{operation="UpdateWorkflowExecution",service_name="frontend"} 2',
  'persistence_requests{operation="CreateTasks",service_name="matching"} 1.5e+01',
  'visibility_persistence_requests{operation="RecordWorkflowExecutionClosed",visibility_plugin_name="postgres12"} 3',
  'schedule_to_start_timeout{namespace="default",operation="TimerActiveTaskWorkflowTaskTimeout"} 0',
  'complete_workflow_task_sticky_enabled_count{operation="RespondWorkflowTaskCompleted"} 4',
  'persistence_requests_total 99',
  'persistence_latency_bucket{operation="UpdateWorkflowExecution",le="0.01"} 7',
  'service_requests 12',
].join('\n');

describe('server counters (bench/serverMetrics.ts)', () => {
  it('sums the named counters by name and operation, over every other label, and leaves the rest out', () => {
    const counters = parseServerCounters(TEXT, [
      'persistence_requests',
      'visibility_persistence_requests',
      'schedule_to_start_timeout',
      'complete_workflow_task_sticky_enabled_count',
      'service_requests',
    ]);
    assert.deepEqual(Object.fromEntries(counters), {
      'persistence_requests:UpdateWorkflowExecution': 7,
      'persistence_requests:CreateTasks': 15,
      'visibility_persistence_requests:RecordWorkflowExecutionClosed': 3,
      'schedule_to_start_timeout:TimerActiveTaskWorkflowTaskTimeout': 0,
      'complete_workflow_task_sticky_enabled_count:RespondWorkflowTaskCompleted': 4,
      'service_requests:': 12,
    });
  });

  it('reads only the names asked for', () => {
    assert.deepEqual(Object.fromEntries(parseServerCounters(TEXT, ['visibility_persistence_requests'])), {
      'visibility_persistence_requests:RecordWorkflowExecutionClosed': 3,
    });
  });
});
