import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseJsonText } from '../campaigns/load';
import { parseCampaign } from '../campaigns/validate';
import type { Campaign } from '../campaigns/types';
import { categoryCodes } from '../db/categories';
import { storeCampaign } from '../db/campaigns';
import type { Db } from '../db/knex';
import { withContext } from './context';

/** Reads and validates a campaign file against the mailing categories in the database. Throws with every error. */
export async function readCampaignFile(db: Db, file: string): Promise<Campaign> {
  const doc = parseJsonText(readFileSync(file, 'utf8'), file);
  return parseCampaign(doc, { categoryCodes: await categoryCodes(db) });
}

export function registerCampaigns(program: Command): void {
  const cmd = program.command('campaigns').description('validate and store campaign definitions');
  cmd
    .command('validate <file>')
    .description('check a campaign file; every error names its JSON path')
    .action((file: string) =>
      withContext(async (ctx) => {
        const c = await readCampaignFile(ctx.db(), file);
        console.log(`campaign "${c.id}" is valid`);
      }),
    );
  cmd
    .command('store <file>')
    .description('validate a campaign file and store it as a new immutable version (the same content reuses its version)')
    .action((file: string) =>
      withContext(async (ctx) => {
        const c = await readCampaignFile(ctx.db(), file);
        const s = await storeCampaign(ctx.db(), c);
        console.log(`campaign "${c.id}" version ${s.version}${s.created ? ' stored' : ' unchanged'}`);
      }),
    );
}
