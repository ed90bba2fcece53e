// The floor's worker process: one worker with the same tuning variables as the campaign worker, running a workflow with
// one no-op activity. The parent asks it over IPC for the time each activity ran, and how many ran.
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const floorTimes: Record<string, number> = {};
  let floorCount = 0;
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: process.env.FLOOR_TASK_QUEUE!,
    ...config.tuning,
    // Bundled by the parent, as the campaign worker uses the bundle `npm run build` made.
    workflowBundle: { codePath: process.env.FLOOR_BUNDLE! },
    activities: {
      async noop() {
        const t = Date.now();
        floorTimes[Context.current().info.workflowExecution!.workflowId] = t;
        floorCount++;
        return t;
      },
    },
  });
  process.on('message', (m) => {
    if (m === 'floor-times') process.send!({ floorTimes });
    if (m === 'floor-count') process.send!({ floorCount });
  });
  process.on('disconnect', () => worker.shutdown());
  const running = worker.run();
  process.send!('ready');
  await running;
  await connection.close();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
