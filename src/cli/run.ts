import type { Command } from 'commander';
import { unknownCustomerIds } from '../db/audience';
import { describeRun } from '../runs/format';
import { runResults, startCampaignRuns } from '../runs/start';
import { webUrl } from '../temporal/connection';
import { quote } from '../email/quote';
import { UsageError, withContext } from './context';
import { INPUT_LIMITS, readTextFile } from './inputFile';
import { loadStored } from './stored';

export const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

// A file of a million bad lines (a binary file, the wrong file) is one mistake: the first few are listed, all counted.
const MAX_LISTED_BAD_LINES = 10;

/** Customer ids from a file: one per line; blank lines and lines starting with # are ignored. */
export function parseCustomerIdFile(text: string, file: string): string[] {
  const ids: string[] = [];
  const errors: string[] = [];
  let bad = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (CUSTOMER_ID.test(line)) ids.push(line);
    else if (++bad <= MAX_LISTED_BAD_LINES) errors.push(`${file}: line ${i + 1}: ${quote(line)} is not a customer id`);
  });
  if (bad > MAX_LISTED_BAD_LINES) errors.push(`${file}: and ${bad - MAX_LISTED_BAD_LINES} more lines that are not customer ids`);
  if (errors.length) throw new UsageError(errors.join('\n'));
  if (ids.length === 0) throw new UsageError(`${file}: holds no customer ids (one a line; # starts a comment)`);
  return ids;
}

/** The ids of a --customers-file. */
export function readCustomerIdFile(file: string): string[] {
  return parseCustomerIdFile(readTextFile(file, { maxBytes: INPUT_LIMITS.idFileBytes, what: 'a customer id file' }), file);
}

interface RunOpts {
  campaign: string;
  campaignVersion?: string;
  customer?: string[];
  customersFile?: string;
  wait: boolean;
  json: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start campaign runs for one customer or a list of customer ids (each pair enrols once)')
    .requiredOption('--campaign <id>', 'stored campaign id')
    .option('--campaign-version <n>', 'stored version (default: the latest)')
    .option('--customer <id...>', 'customer external id(s)')
    .option('--customers-file <file>', 'file with one customer id per line')
    .option('--wait', 'wait for the runs and print their results', false)
    .option('--json', 'with --wait: print the results as JSON', false)
    .action((o: RunOpts) =>
      withContext(async (ctx) => {
        const db = ctx.db();
        const stored = await loadStored(db, o.campaign, o.campaignVersion);

        const ids = [...(o.customer ?? [])];
        for (const id of o.customer ?? []) if (!CUSTOMER_ID.test(id)) throw new UsageError(`--customer: ${quote(id)} is not a customer id`);
        if (o.customersFile) ids.push(...readCustomerIdFile(o.customersFile));
        const unique = [...new Set(ids)];
        if (unique.length === 0) throw new UsageError('give --customer <id...> or --customers-file <file>');
        // Nothing starts unless every id is known: a typo should not be discovered one run at a time.
        const unknown = await unknownCustomerIds(db, unique);
        if (unknown.length)
          throw new UsageError(
            `unknown customer id(s), nothing started: ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', ...' : ''}`,
          );

        const client = await ctx.client();
        const { config } = ctx;
        const started = await startCampaignRuns(
          { client, taskQueue: config.taskQueue, campaign: stored.campaign, campaignVersion: stored.version },
          unique,
        );
        if (!o.json) {
          for (const s of started) {
            console.log(
              `${s.workflowId}\t${s.started ? 'started' : 'already enrolled'}\t${webUrl(config.temporalWebUrl, config.temporalNamespace, s.workflowId)}`,
            );
          }
        }
        if (o.wait) {
          // A few at a time: thousands of waits at once exceed the server's concurrent poller limit (issue 28).
          const results = await runResults(
            client,
            started.map((s) => s.workflowId),
          );
          if (o.json) console.log(JSON.stringify(results, null, 2));
          else results.forEach((r) => console.log(describeRun(r)));
        }
      }),
    );
}
