// `npm run bench -- --messages-per-minute M [N] [--workers W] [--json]`: shows that a campaign's messages-per-minute
// limit holds across worker processes. One fresh dev server, W production worker processes (default 2) on the same task
// queues, a campaign limited to M messages a minute, a launch of N customers (default 2.5 x M, so the sends take about
// 2.5 minutes); the SendGrid fake timestamps every accepted message. Prints the most messages accepted in any 60 s, the
// mean rate from the first message to the last, and the sends queue's pollers as the server sees them (identity, rate).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseCampaign } from '../src/campaigns/validate';
import { upsertCategory } from '../src/db/categories';
import { storeCampaign } from '../src/db/campaigns';
import { importCustomers } from '../src/db/customerImport';
import { createDb, migrateLatest, recreateDatabase } from '../src/db/knex';
import { startSendGridFake } from '../dev/sendgridFake';
import { startDevServer } from '../dev/temporalServer';
import { startLaunch } from '../src/runs/launch';
import { sendsTaskQueue } from '../src/contract';
import { WORKER_NODE_FLAGS } from '../src/temporal/tuning';
import { ensurePostgres, freePort } from '../test/support/env';

export interface SendLimitFigures {
  messagesPerMinute: number;
  workers: number;
  customers: number;
  /** the most messages the fake accepted in any 60 s */
  maxInAnyMinute: number;
  /** (accepted - 1) / (last - first) x 60 */
  meanPerMinute: number;
  firstToLastSeconds: number;
  /** the sends queue's pollers as the server reported them while the launch ran */
  pollers: { identity: string; ratePerSecond: number }[];
}

/** The most timestamps (ms, sorted) within any window of `windowMs`. */
export function maxInWindow(sorted: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

export async function benchSendLimit(o: { perMinute: number; customers: number; workers: number; log: (...a: unknown[]) => void }) {
  ensurePostgres();
  const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/campaign_runner_bench';
  await recreateDatabase(databaseUrl);
  const db = createDb(databaseUrl, { max: 10 });
  await migrateLatest(db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cr-bench-limit-'));
  const fake = await startSendGridFake({ port: 0 });
  const server = await startDevServer({
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'temporal.log'),
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: 'default' });
  const queues = { TASK_QUEUE: 'bench-runs', LAUNCH_TASK_QUEUE: 'bench-launches' };
  const children: ReturnType<typeof spawn>[] = [];
  try {
    await upsertCategory(db, { code: 'news', name: 'News', visible: true, defaultEmailSubscribed: true });
    const doc = {
      id: 'bench-limited',
      name: 'Benchmark, limited',
      messagesPerMinute: o.perMinute,
      actions: [
        {
          id: 'email',
          type: 'sendEmail',
          settings: {
            from: { email: 'news@shop.example.com' },
            subject: 'Hi {{ customer.firstName }}',
            html: '<p>Hi</p>',
            categoryCode: 'news',
          },
        },
      ],
    };
    // Stored before the workers start: each reads the limits once at start (then every 10 s).
    const stored = await storeCampaign(db, parseCampaign(doc, { categoryCodes: new Set(['news']) }));
    const tag = 'limited';
    const lines = Array.from({ length: o.customers }, (_, i) =>
      JSON.stringify({
        id: `${tag}-${String(i).padStart(6, '0')}`,
        email: `${tag}-${i}@example.com`,
        emailSubscribed: true,
        firstName: 'Bench',
        tags: [tag],
      }),
    );
    await importCustomers(db, lines.join('\n'));

    const env = {
      ...process.env,
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      LOG_LEVEL: 'ERROR',
      DATABASE_URL: databaseUrl,
      SENDGRID_BASE_URL: fake.url,
      TEMPORAL_ADDRESS: server.address,
      ...queues,
    };
    for (let i = 0; i < o.workers; i++) {
      const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, path.resolve(__dirname, '..', 'src', 'worker.js')], {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => String(d).includes('worker polling') && resolve());
        child.once('exit', (c) => reject(new Error(`worker ${i + 1} exited (${c})`)));
      });
    }
    o.log(`${o.workers} worker processes polling; launching ${o.customers} customers at ${o.perMinute} messages a minute...`);
    const launch = await startLaunch({
      client,
      db,
      launchTaskQueue: queues.LAUNCH_TASK_QUEUE,
      campaignId: stored.campaign.id,
      campaignVersion: stored.version,
      audience: { kind: 'tag', tag },
      launchId: tag,
    });
    const queue = sendsTaskQueue(queues.TASK_QUEUE, stored.campaign.id);
    let pollers: SendLimitFigures['pollers'] = [];
    let last = 0;
    for (;;) {
      const n = fake.accepted().length;
      if (n >= o.customers) break;
      if (pollers.length < o.workers) {
        const r = await client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: queue, kind: 1 },
          taskQueueType: 2,
        });
        pollers = (r.pollers ?? []).map((p) => ({ identity: p.identity ?? '', ratePerSecond: p.ratePerSecond ?? 0 }));
      }
      if (n - last >= o.perMinute / 4) {
        o.log(`  ${n}/${o.customers} accepted`);
        last = n;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    await client.workflow.getHandle(launch.workflowId).result();
    const times = fake
      .accepted()
      .map((m) => Date.parse(m.receivedAt))
      .sort((a, b) => a - b);
    const span = (times[times.length - 1] - times[0]) / 1000;
    const figures: SendLimitFigures = {
      messagesPerMinute: o.perMinute,
      workers: o.workers,
      customers: o.customers,
      maxInAnyMinute: maxInWindow(times, 60_000),
      meanPerMinute: Math.round(((times.length - 1) / span) * 60 * 10) / 10,
      firstToLastSeconds: Math.round(span * 10) / 10,
      pollers,
    };
    o.log(
      `\nlimit ${o.perMinute}/min, ${o.workers} worker processes, ${o.customers} messages accepted by the fake in ${figures.firstToLastSeconds} s:` +
        `\n  most in any 60 s: ${figures.maxInAnyMinute}   mean: ${figures.meanPerMinute}/min` +
        `\n  sends queue pollers (server's view): ${pollers.map((p) => `${p.identity} at ${p.ratePerSecond}/s`).join(', ')}`,
    );
    return figures;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await client.connection.close();
    await server.stop();
    await fake.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
