// why: for one customer's run of a campaign, each action's decision, when it was taken, what the rules saw, the
// attempts, the ledger's status, SendGrid's events since and the run's Temporal Web link (src/inspect/why.ts).
import type { Command } from 'commander';
import { isValidId } from '../campaigns/validate';
import { quote } from '../email/quote';
import { formatWhy, why } from '../inspect/why';
import { webUrl } from '../temporal/connection';
import { UsageError, withContext } from './context';
import { CUSTOMER_ID } from './run';

export function registerWhy(program: Command): void {
  program
    .command('why')
    .description("why a customer's run of a campaign did what it did: each action's decision, the rules' inputs, events since")
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--customer <id>', 'customer external id')
    .option('--json', 'print it as JSON', false)
    .action((o: { campaign: string; customer: string; json: boolean }) =>
      withContext(async (ctx) => {
        if (!isValidId(o.campaign)) throw new UsageError(`--campaign: ${quote(o.campaign)} is not a campaign id`);
        if (!CUSTOMER_ID.test(o.customer)) throw new UsageError(`--customer: ${quote(o.customer)} is not a customer id`);
        const { config } = ctx;
        const w = await why(
          {
            db: ctx.db(),
            client: () => ctx.client(),
            webUrl: (workflowId, runId) => webUrl(config.temporalWebUrl, config.temporalNamespace, workflowId, runId),
          },
          o.campaign,
          o.customer,
        );
        if (w.campaignVersion === null && w.run.status === null) {
          throw new UsageError(`--campaign: no stored campaign ${quote(o.campaign)} and no run of it for this customer`);
        }
        console.log(o.json ? JSON.stringify(w, null, 2) : formatWhy(w));
      }),
    );
}
