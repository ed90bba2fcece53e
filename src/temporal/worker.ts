// The one worker assembly: src/worker.ts, the local stack, the tests and the benchmark's worker processes all build their
// workers here, from a Config. What differs between them is passed in (a database, a prebuilt bundle, a mailer,
// activity overrides for tests of workflow logic), never re-derived.
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import { sendgridApiKey, workerUnsubscribeSettings, type Config, type WorkerRole } from '../config';
import type { Db } from '../db/knex';
import { createSendGridMailer, type Mailer } from '../email/mailer';
import { temporalConnectionOptions } from './connection';
import { DEFAULT_SEND_LIMITS_REFRESH_MS, SendQueueWorkers } from './sendQueues';
import { resolveWorkflowBundle } from './workflowBundle';
import { dataConverter, workflowInterceptorModules } from './workerShared';

/**
 * How long one sendEmail attempt owns its send in the ledger: longer than the SendGrid client's own timeout, so that an
 * attempt still waiting for SendGrid's answer is never taken over (which could send twice).
 */
export function sendLeaseMs(sendgridTimeoutMs: number): number {
  return sendgridTimeoutMs + 5_000;
}

export interface AssembleWorkerOptions {
  config: Config;
  db: Db;
  /** defaults to a new connection to config.temporalAddress (closed by shutdown) */
  connection?: NativeConnection;
  /** defaults to config.workerRoles */
  roles?: WorkerRole[];
  /** defaults to the SendGrid client configured by config.sendgrid */
  mailer?: Mailer;
  /** replaces some activities: tests of workflow logic stub them */
  activityOverrides?: Partial<Activities> & Record<string, (...args: never[]) => Promise<unknown>>;
  /** a bundle built once and shared (tests); default: the prebuilt bundle when current, else bundled now */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** defaults to a warning on stderr */
  warn?: (msg: string) => void;
  /** how often a runs worker reads the campaigns' send limits (default 10 s; src/temporal/sendQueues.ts) */
  sendLimitsRefreshMs?: number;
  /** the time e-mails render at; default the system clock (tests fix it to compare a preview with its send) */
  clock?: () => Date;
}

export interface CampaignWorkers {
  workers: Worker[];
  /** the task queues polled, in the order of the roles */
  queues: string[];
  /** the rate-limited sends queues of campaigns with a messages-per-minute limit (runs role only) */
  sendQueues: SendQueueWorkers | undefined;
  /** resolves when every worker has shut down (on SIGINT/SIGTERM, or after shutdown()) */
  run(): Promise<void>;
  /** stops polling, lets running tasks finish, then closes what the assembly opened */
  shutdown(): Promise<void>;
}

/**
 * Campaign runs and launches poll separate task queues, so that a launch enrolling a large audience never delays the
 * sends of runs already going, and each can be scaled (or stopped) on its own.
 */
export async function assembleWorkers(o: AssembleWorkerOptions): Promise<CampaignWorkers> {
  const { config } = o;
  const roles = o.roles ?? config.workerRoles;
  const warn = o.warn ?? ((m: string) => console.warn(`warning: ${m}`));
  // The configuration's checks first: a mistake is one line, not a connection error from whatever it pointed at.
  const mailer =
    o.mailer ??
    createSendGridMailer({
      apiKey: sendgridApiKey(config.sendgrid),
      baseUrl: config.sendgrid.baseUrl,
      timeoutMs: config.sendgrid.timeoutMs,
    });
  const unsubscribe = workerUnsubscribeSettings(config);
  const connectionOptions = o.connection ? undefined : temporalConnectionOptions(config);
  const ownConnection = connectionOptions ? await NativeConnection.connect(connectionOptions) : undefined;
  const connection = (o.connection ?? ownConnection)!;
  // Launch pages start runs through a client on the workers' own connection: no second (JavaScript) gRPC stack in the
  // process, and eager start hands each new run's first task to this process's runs worker when it has one.
  const client = new Client({ connection, namespace: config.temporalNamespace });
  const activities = {
    ...createActivities({
      db: o.db,
      mailer,
      sendLeaseMs: sendLeaseMs(config.sendgrid.timeoutMs),
      client,
      taskQueue: config.taskQueue,
      eagerStart: roles.includes('runs'),
      unsubscribe,
      clock: o.clock,
    }),
    ...o.activityOverrides,
  };
  const workflowBundle = o.workflowBundle ?? (await resolveWorkflowBundle(warn));
  const queues = roles.map((r) => (r === 'runs' ? config.taskQueue : config.launchTaskQueue));
  const workers: Worker[] = [];
  for (const role of roles) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.temporalNamespace,
        taskQueue: role === 'runs' ? config.taskQueue : config.launchTaskQueue,
        activities,
        workflowBundle,
        interceptors: { workflowModules: workflowInterceptorModules },
        dataConverter,
        // A heartbeat goes out at most a second after the last one: it is how a cancellation reaches a send in flight
        // (the SDK's default waits up to 30-60 s). Only attempts that run longer than a second heartbeat at all.
        maxHeartbeatThrottleInterval: '1s',
        defaultHeartbeatThrottleInterval: '1s',
        // Launches are few and long: a small cache leaves the memory to campaign runs.
        ...(role === 'runs' ? config.tuning : { maxCachedWorkflows: 20, maxConcurrentActivityTaskExecutions: 4 }),
      }),
    );
  }
  const sendQueues = roles.includes('runs')
    ? new SendQueueWorkers({
        connection,
        namespace: config.temporalNamespace,
        taskQueue: config.taskQueue,
        db: o.db,
        sendEmail: activities.sendEmail,
        refreshMs: o.sendLimitsRefreshMs ?? DEFAULT_SEND_LIMITS_REFRESH_MS,
        warn,
      })
    : undefined;
  await sendQueues?.start();
  let running: Promise<void> | undefined;
  const run = () => {
    // The sends workers end with the others (on SIGINT/SIGTERM the SDK stops them all; shutdown() stops them too).
    running ??= Promise.all(workers.map((w) => w.run()))
      .finally(() => sendQueues?.shutdown())
      .then(
        async () => {
          await ownConnection?.close();
        },
        async (err) => {
          await ownConnection?.close();
          throw err;
        },
      );
    return running;
  };
  return {
    workers,
    queues,
    sendQueues,
    run,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await sendQueues?.shutdown();
      await (running ?? ownConnection?.close());
    },
  };
}
