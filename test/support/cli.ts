// The CLI as a user runs it: a child process (bin/campaign-runner.js) against the test database and Temporal server.
import { spawn } from 'node:child_process';
import { testEnv } from './env';
import { fromRoot } from './paths';

export const BIN = fromRoot('bin', 'campaign-runner.js');

export interface CliResult {
  /** the exit code; null when the process was killed because it did not exit in time */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  /** what it printed so far */
  stdout(): string;
  stderr(): string;
  /**
   * Resolves when the process exits, or after `ms` (then the process is killed and `code` is null): a CLI that should
   * have stopped fails the test instead of hanging it.
   */
  exited(ms?: number): Promise<CliResult>;
}

/** Starts the CLI with the test environment's database and server; `env` names the task queues and anything else. */
export function startCli(env: { TASK_QUEUE: string; LAUNCH_TASK_QUEUE: string } & Record<string, string>, ...args: string[]): RunningCli {
  const test = testEnv();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: test.databaseUrl, TEMPORAL_ADDRESS: test.temporalAddress, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async exited(ms = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
      const first = await Promise.race([closed, late]);
      clearTimeout(timer);
      if (first === 'late') {
        child.kill('SIGKILL');
        await closed;
        return { code: null, stdout, stderr };
      }
      return { code: first, stdout, stderr };
    },
  };
}

/** Runs the CLI to its end (killed after 60 s: see `exited`). */
export async function runCli(
  env: { TASK_QUEUE: string; LAUNCH_TASK_QUEUE: string } & Record<string, string>,
  ...args: string[]
): Promise<CliResult> {
  return startCli(env, ...args).exited();
}
