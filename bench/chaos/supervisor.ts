// The chaos run's worker processes: a few production workers, each restarted by this supervisor whenever it exits (as a
// process manager would), one of them killed with SIGKILL on the plan's schedule.
import { rssSampler } from '../procStats';
import { spawnWorker, type WorkerProcess } from '../../dev/workerProcess';

interface Slot {
  worker: WorkerProcess;
  ready: boolean;
  /** set just before this supervisor kills it */
  killed: boolean;
  rss: ReturnType<typeof rssSampler>;
}

export interface SupervisorFigures {
  kills: number;
  /** workers that exited before they polled (one started while the dev server was down cannot connect) */
  failedStarts: number;
  /** workers that exited on their own after they polled */
  crashes: number;
  starts: number;
  peakRssMb: number;
}

export class WorkerSupervisor {
  private readonly slots: Slot[] = [];
  private stopping = false;
  private kills = 0;
  private failedStarts = 0;
  private crashes = 0;
  private starts = 0;
  private peakRssMb = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly count: number,
    /** where the workers' stderr goes (a log file's descriptor) */
    private readonly stderr: number,
    private readonly restartDelayMs = 500,
  ) {}

  /** Starts every worker and waits until each polls. */
  async start(): Promise<void> {
    for (let i = 0; i < this.count; i++) this.launch(i);
    await Promise.all(this.slots.map((s) => s.worker.ready));
  }

  private launch(i: number): void {
    const worker = spawnWorker(this.env, { stderr: this.stderr });
    const slot: Slot = { worker, ready: false, killed: false, rss: rssSampler(worker.child.pid!) };
    this.slots[i] = slot;
    this.starts++;
    worker.ready.then(
      () => (slot.ready = true),
      () => undefined,
    );
    void worker.exited.then(() => {
      if (!slot.killed && slot.ready) this.crashes++;
      else if (!slot.killed) this.failedStarts++;
      slot.ready = false;
      slot.rss.stop();
      this.peakRssMb = Math.max(this.peakRssMb, slot.rss.peakMb());
      if (!this.stopping) setTimeout(() => !this.stopping && this.launch(i), this.restartDelayMs);
    });
  }

  /**
   * SIGKILLs one of the workers that poll, chosen by `pick` in [0, 1), so long as another one polls too: a kill never
   * leaves the queues without a worker. Returns whether it killed.
   */
  kill(pick: number): boolean {
    const ready = this.slots.filter((s) => s.ready);
    if (ready.length < 2) return false;
    const victim = ready[Math.floor(pick * ready.length)];
    victim.killed = true;
    victim.ready = false;
    victim.worker.child.kill('SIGKILL');
    this.kills++;
    return true;
  }

  figures(): SupervisorFigures {
    const live = this.slots.map((s) => s.rss.peakMb());
    return {
      kills: this.kills,
      failedStarts: this.failedStarts,
      crashes: this.crashes,
      starts: this.starts,
      peakRssMb: Math.max(this.peakRssMb, ...live),
    };
  }

  /** Stops every worker (SIGTERM: the SDK shuts down gracefully) without restarting any. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map((s) => {
        s.killed = true; // not an unexpected exit
        s.worker.child.kill('SIGTERM');
        const force = setTimeout(() => s.worker.child.kill('SIGKILL'), 10_000);
        return s.worker.exited.finally(() => clearTimeout(force));
      }),
    );
  }
}
