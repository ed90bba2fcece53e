import type { Command } from 'commander';
import { parseJsonText } from '../campaigns/load';
import { parseCampaign } from '../campaigns/validate';
import type { Campaign } from '../campaigns/types';
import { categoryCodes } from '../db/categories';
import { storeCampaign, type StoredCampaign } from '../db/campaigns';
import type { Db } from '../db/knex';
import { withContext } from './context';
import { INPUT_LIMITS, readTextFile } from './inputFile';

/** Validates a campaign file's text against the mailing categories in the database. Throws with every error. */
export async function checkCampaignText(db: Db, text: string, source: string): Promise<Campaign> {
  const doc = parseJsonText(text, source);
  return parseCampaign(doc, { categoryCodes: await categoryCodes(db) });
}

/** What `campaigns store` does with a file's text: nothing is written unless the whole document is valid. */
export async function storeCampaignText(db: Db, text: string, source: string): Promise<StoredCampaign & { created: boolean }> {
  return storeCampaign(db, await checkCampaignText(db, text, source));
}

/** Reads and validates a campaign file. Throws with every error, or one line about the file itself. */
export async function readCampaignFile(db: Db, file: string): Promise<Campaign> {
  return checkCampaignText(db, readTextFile(file, { maxBytes: INPUT_LIMITS.campaignFileBytes, what: 'a campaign file' }), file);
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
        const text = readTextFile(file, { maxBytes: INPUT_LIMITS.campaignFileBytes, what: 'a campaign file' });
        const s = await storeCampaignText(ctx.db(), text, file);
        console.log(`campaign "${s.campaign.id}" version ${s.version}${s.created ? ' stored' : ' unchanged'}`);
      }),
    );
}
