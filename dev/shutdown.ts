// Everything the local stack starts, stopped in reverse order, whichever way it ends: Ctrl-C (SIGINT), SIGTERM or
// SIGHUP, an error, or an exception nobody caught. A stack that crashed used to leave its Temporal dev server (and on
// the PostgreSQL topology, its worker processes and servers) running, holding their ports for the next start (issue 28).
//
// The stack owns these signals: the Temporal SDK's own handlers (which only stop workers) are turned off where it
// installs its Runtime. What no handler can catch (SIGKILL of the stack alone) still leaves children behind; Ctrl-C in
// a terminal reaches the whole process group, children included.

interface Step {
  what: string;
  stop: () => Promise<void>;
}

/** How long one step may take before the next one goes ahead (a child process's stop kills it after its own wait). */
const STEP_MS = 20_000;

export class StackShutdown {
  private readonly steps: Step[] = [];
  private exiting: Promise<never> | undefined;

  /** Something to stop when the stack ends; the last added is stopped first. */
  add(what: string, stop: () => Promise<void>): void {
    this.steps.unshift({ what, stop });
  }

  /** Stops every step (each at most STEP_MS; a failing step does not keep the others running), then exits. */
  exit(code: number): Promise<never> {
    this.exiting ??= (async () => {
      for (const s of this.steps) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STEP_MS)));
        const how = await Promise.race([s.stop().then(() => 'ok' as const), late]).catch((err: unknown) => err);
        clearTimeout(timer);
        if (how === 'late') console.error(`stopping ${s.what}: still not stopped after ${STEP_MS / 1000} s, going on`);
        else if (how !== 'ok') console.error(`stopping ${s.what}:`, how);
      }
      console.log('stopped');
      process.exit(code);
    })();
    return this.exiting;
  }

  /** Ctrl-C, SIGTERM and SIGHUP stop the stack (exit 0); an error nobody caught stops it too (exit 1). */
  installHandlers(): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (this.exiting) return; // a second Ctrl-C while stopping: the steps' own timeouts bound the wait
        console.log(`\n${signal}: stopping the stack...`);
        void this.exit(0);
      });
    }
    const crash = (err: unknown) => {
      console.error(err);
      void this.exit(1);
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
  }
}
