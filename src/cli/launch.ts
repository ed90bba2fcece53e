import type { Command } from 'commander';
import { campaignReport, formatReport } from '../report/campaignReport';
import { LAUNCH_DEFAULTS, LaunchInputError, startLaunch, type LaunchStatus } from '../runs/launch';
import { LaunchEndedError, watchLaunch } from '../runs/launchWatch';
import type { Audience } from '../contract';
import { UsageError, withContext } from './context';
import { readCustomerIdFile } from './run';
import { htmlReport } from './reportHtml';
import { loadStored } from './stored';
import { quote } from '../email/quote';

function bar(s: LaunchStatus, width = 30): string {
  const total = Math.max(s.audienceSize, 1);
  const started = s.progress.started + s.progress.alreadyEnrolled;
  const filled = Math.round((Math.min(s.finished + s.progress.alreadyEnrolled, total) / total) * width);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] started ${started}/${s.audienceSize}` +
    ` (already enrolled ${s.progress.alreadyEnrolled})  finished ${s.finished}  sent ${s.sent}  skipped ${s.skipped}  failed ${s.failed}  cancelled ${s.cancelled}` +
    (s.waiting ? `  waiting ${s.waiting}` : '')
  );
}

interface LaunchOpts {
  campaign: string;
  campaignVersion?: string;
  all?: boolean;
  tag?: string;
  customersFile?: string;
  launchId?: string;
  pageSize?: string;
  json: boolean;
}

export function registerLaunch(program: Command): void {
  program
    .command('launch')
    .description('launch a campaign to an audience (a durable workflow), show progress, end with the report')
    .requiredOption('--campaign <id>', 'stored campaign id')
    .option('--campaign-version <n>', 'stored version (default: the latest)')
    .option('--all', 'every customer')
    .option('--tag <tag>', 'the customers with this tag')
    .option('--customers-file <file>', 'the customers listed in this file (one id per line)')
    .option('--launch-id <id>', 'a name for this launch (default: a timestamp)')
    .option('--page-size <n>', 'customers per page of starts', String(LAUNCH_DEFAULTS.pageSize))
    .option('--json', 'print the final report as JSON', false)
    .action((o: LaunchOpts) =>
      withContext(async (ctx) => {
        const chosen = [o.all, o.tag, o.customersFile].filter((x) => x !== undefined && x !== false).length;
        if (chosen !== 1) throw new UsageError('give exactly one of --all, --tag <tag>, --customers-file <file>');
        if (o.launchId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(o.launchId))
          throw new UsageError(`--launch-id: ${quote(o.launchId)} must be 1-64 letters, digits, _ . : -`);
        const pageSize = Number(o.pageSize);
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
          throw new UsageError('--page-size: a whole number from 1 to 1000');
        const db = ctx.db();
        const stored = await loadStored(db, o.campaign, o.campaignVersion);
        const audience: Audience = o.all ? { kind: 'all' } : o.tag ? { kind: 'tag', tag: o.tag } : { kind: 'list' };
        const customerIds = o.customersFile ? readCustomerIdFile(o.customersFile) : undefined;
        const client = await ctx.client();
        const launch = await startLaunch({
          client,
          db,
          launchTaskQueue: ctx.config.launchTaskQueue,
          campaignId: stored.campaign.id,
          campaignVersion: stored.version,
          audience,
          customerIds,
          launchId: o.launchId,
          pageSize,
        }).catch((err) => {
          if (err instanceof LaunchInputError) throw new UsageError(err.message);
          throw err;
        });
        const log = o.json ? console.error : console.log;
        log(`launch ${launch.launchId}: ${launch.workflowId} (${launch.audienceSize} customers)`);
        const tty = process.stdout.isTTY && !o.json;
        let shown = 0;
        try {
          await watchLaunch(client, stored.campaign.id, launch.launchId, launch.audienceSize, (s, last) => {
            if (tty) process.stdout.write(`\r${bar(s)}`);
            else if (last || Date.now() - shown > 5000) {
              log(bar(s));
              shown = Date.now();
            }
          });
        } catch (err) {
          // A launcher that failed, was terminated or cancelled: why, in one line, and a non-zero exit.
          if (err instanceof LaunchEndedError) throw new UsageError(err.message);
          throw err;
        } finally {
          if (tty) process.stdout.write('\n');
        }
        const report = await campaignReport(db, stored.campaign.id);
        console.log(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
      }),
    );

  program
    .command('report')
    .description("the campaign's report per e-mail action, from the send ledger")
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--json', 'a stable JSON document (README: "Report")', false)
    .option('--html <file>', 'write the report as one self-contained HTML file, a picture of the campaign (docs/report.md)')
    .action((o: { campaign: string; json: boolean; html?: string }) =>
      withContext(async (ctx) => {
        if (o.html !== undefined && o.json) throw new UsageError('give --json or --html, not both');
        if (o.html !== undefined) return htmlReport(ctx, o.campaign, o.html);
        const report = await campaignReport(ctx.db(), o.campaign);
        console.log(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
      }),
    );
}
