// Messages per minute (README "Messages per minute"): a campaign with a limit sends through its own task queue,
// `<TASK_QUEUE>-sends-<campaign>` (the run's input names it), and the Temporal server dispatches that queue's tasks at
// most at the campaign's rate, whichever and however many workers poll it: the limit is the server's, not a counter in
// a process. The server takes the rate from the pollers (`maxTaskQueueActivitiesPerSecond`), the last poll's value
// winning, and a poller that sets none lifts it; so every poller of a sends queue must set the same rate. Here every
// runs worker reads the limits from Postgres (campaign_send_limits: the latest stored version's) when it starts and then
// every `refreshMs`, and keeps one activity worker per limited campaign, polling with that rate. A changed limit
// replaces the campaign's worker; until every worker has read it (one refresh), the queue's rate alternates between the
// old and the new value.
import { Worker, type NativeConnection } from '@temporalio/worker';
import { sendsTaskQueue } from '../contract';
import type { Activities } from '../activities';
import { listSendLimits, type SendLimit } from '../db/sendLimits';
import type { Db } from '../db/knex';
import { dataConverter } from './workerShared';

export const DEFAULT_SEND_LIMITS_REFRESH_MS = 10_000;

/**
 * The rate a sends queue is polled with, for a limit of `perMinute`. The server's token bucket holds one second's worth
 * of tasks (measured on the dev server: at 2/s the first two go at once, then one every 500 ms), so a queue limited to
 * r a second may hand out 61 x r tasks in a minute's stretch. r = perMinute / 61 keeps every 60 s within the limit.
 */
export function queueRatePerSecond(perMinute: number): number {
  return perMinute / 61;
}

export interface SendQueueOptions {
  connection: NativeConnection;
  namespace: string;
  /** the runs task queue: sends queues are named after it */
  taskQueue: string;
  db: Db;
  sendEmail: Activities['sendEmail'];
  refreshMs: number;
  warn: (msg: string) => void;
}

interface SendWorker {
  perMinute: number | null;
  worker: Worker;
  done: Promise<void>;
}

export class SendQueueWorkers {
  private readonly workers = new Map<string, SendWorker>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: SendQueueOptions) {}

  /** Reads the limits once (so that a worker that starts polls every limited campaign's queue at once), then keeps reading. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.refreshMs);
    this.timer.unref();
  }

  /** The sends queues polled now, with their rate in messages per minute (null: no limit). */
  polled(): Map<string, number | null> {
    return new Map([...this.workers].map(([queue, w]) => [queue, w.perMinute]));
  }

  /** One refresh at a time; a failed read (database away) is tried again at the next. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      if (this.stopped) return;
      let limits: SendLimit[];
      try {
        limits = await listSendLimits(this.o.db);
      } catch (err) {
        this.o.warn(`could not read the campaigns' send limits (will try again): ${(err as Error).message}`);
        return;
      }
      for (const l of limits) {
        if (this.stopped) return;
        const queue = sendsTaskQueue(this.o.taskQueue, l.campaignId);
        const current = this.workers.get(queue);
        if (current && current.perMinute === l.messagesPerMinute) continue;
        if (current) await this.stop(queue, current);
        try {
          await this.create(queue, l.messagesPerMinute);
        } catch (err) {
          this.o.warn(`could not start polling ${queue}: ${(err as Error).message}`);
        }
      }
    });
    return this.refreshing;
  }

  private async create(queue: string, perMinute: number | null): Promise<void> {
    const worker = await Worker.create({
      connection: this.o.connection,
      namespace: this.o.namespace,
      taskQueue: queue,
      activities: { sendEmail: this.o.sendEmail },
      dataConverter,
      // As on the runs queue: a cancellation reaches a send in flight within a second (src/temporal/worker.ts).
      maxHeartbeatThrottleInterval: '1s',
      defaultHeartbeatThrottleInterval: '1s',
      // The rate is the server's to enforce, for every poller of this queue together.
      ...(perMinute ? { maxTaskQueueActivitiesPerSecond: queueRatePerSecond(perMinute) } : {}),
      // A rate-limited queue needs few pollers; a worker may poll many such queues.
      maxConcurrentActivityTaskPolls: 2,
    });
    const entry: SendWorker = { perMinute, worker, done: Promise.resolve() };
    entry.done = worker.run().catch((err) => {
      this.o.warn(`the worker of ${queue} stopped: ${(err as Error).message}`);
      // Started again at the next refresh.
      if (this.workers.get(queue) === entry) this.workers.delete(queue);
    });
    this.workers.set(queue, entry);
  }

  private async stop(queue: string, w: SendWorker): Promise<void> {
    this.workers.delete(queue);
    if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await w.done;
  }

  /** Stops reading limits and shuts every sends worker down (their sends in flight finish first). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    await Promise.all([...this.workers].map(([queue, w]) => this.stop(queue, w)));
  }
}
