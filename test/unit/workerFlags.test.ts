// The worker's node flags live in three places that cannot import each other: keep them in step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WORKER_NODE_FLAGS } from '../../src/temporal/tuning';
import { ROOT } from '../support/paths';

const root = ROOT;

describe('worker node flags', () => {
  it('npm run worker starts the worker with WORKER_NODE_FLAGS', () => {
    const script: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.worker;
    assert.equal(script, ['node', ...WORKER_NODE_FLAGS, 'dist/src/worker.js'].join(' '));
  });

  it("the Dockerfile's CMD starts the worker with WORKER_NODE_FLAGS", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
    assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
    assert.deepEqual(JSON.parse(cmd[1]), ['node', ...WORKER_NODE_FLAGS, 'dist/src/worker.js']);
  });
});
