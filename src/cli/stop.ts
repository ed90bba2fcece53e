import type { Command } from 'commander';
import { campaignReport, formatReport } from '../report/campaignReport';
import { formatStop, StopTimeoutError, stopCampaign } from '../runs/stop';
import { UsageError, withContext } from './context';
import { quote } from '../email/quote';
import { isValidId } from '../campaigns/validate';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop a campaign (or one launch of it): no more starts, every open run cancelled; nothing is sent after it returns')
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--launch-id <id>', 'only this launch and its runs')
    .option('--json', 'print the summary and the report as JSON', false)
    .action((o: { campaign: string; launchId?: string; json: boolean }) =>
      withContext(async (ctx) => {
        // The id goes into visibility queries: only what a stored campaign's id can be.
        if (!isValidId(o.campaign)) throw new UsageError(`--campaign: ${quote(o.campaign)} is not a campaign id`);
        if (o.launchId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(o.launchId)) {
          throw new UsageError(`--launch-id: ${quote(o.launchId)} must be 1-64 letters, digits, _ . : -`);
        }
        const client = await ctx.client();
        const summary = await stopCampaign({
          client,
          db: ctx.db(),
          campaignId: o.campaign,
          launchId: o.launchId,
          log: (line) => console.error(line),
        }).catch((err) => {
          if (err instanceof StopTimeoutError) throw new UsageError(err.message);
          throw err;
        });
        const report = await campaignReport(ctx.db(), o.campaign);
        if (o.json) console.log(JSON.stringify({ stop: summary, report }, null, 2));
        else console.log(`${formatStop(summary)}\n\n${formatReport(report)}`);
      }),
    );
}
