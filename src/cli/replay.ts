import type { Command } from 'commander';
import { replayHistories } from '../replay/replay';
import { UsageError, withContext } from './context';
import { quote } from '../email/quote';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('pre-deploy check: replay recent histories from a live cluster against this code; exits 1 on any failure')
    .requiredOption('--query <visibility query>', 'which runs, e.g. \'WorkflowType="campaignRun" AND StartTime > "2026-11-01T00:00:00Z"\'')
    .option('--limit <n>', 'at most this many histories', '500')
    .action((o: { query: string; limit: string }) =>
      withContext(async (ctx) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: ${quote(o.limit)} is not a positive whole number`);
        const client = await ctx.client();
        const histories = limited(client.workflow.list({ query: o.query, pageSize: Math.min(limit, 1000) }).intoHistories(), limit);
        const report = await replayHistories(histories);
        for (const f of report.failures) console.error(`FAILED ${f.name} (run ${f.runId}): ${f.error}`);
        console.log(`replayed ${report.replayed} histories, ${report.failures.length} failed`);
        if (report.replayed === 0) console.log('note: the query matched no runs');
        if (report.failures.length) process.exitCode = 1;
      }),
    );
}

async function* limited<T>(items: AsyncIterable<T>, n: number): AsyncIterable<T> {
  let i = 0;
  for await (const item of items) {
    if (i++ >= n) return;
    yield item;
  }
}
