// Writing the HTML report to a file: the report (the one query the text and JSON reports use) plus the campaign's state
// from Temporal, drawn, and written whole or not at all (a temporary file beside it, renamed into place).
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/knex';
import { campaignReport, type CampaignReport } from './campaignReport';
import { campaignState } from './campaignState';
import { renderReportHtml } from './html';

export interface HtmlReportArgs {
  db: Db;
  client: Client;
  campaignId: string;
  file: string;
  /** create the file's folder if it is missing (the local stack's .stack/); the CLI refuses a missing folder instead */
  createFolder?: boolean;
}

/** The campaign is not stored: nothing was written. */
export class UnknownCampaignError extends Error {
  override readonly name = 'UnknownCampaignError';
}

export async function writeHtmlReport(a: HtmlReportArgs): Promise<{ file: string; bytes: number; report: CampaignReport }> {
  const [figures, state] = await Promise.all([campaignReport(a.db, a.campaignId), campaignState(a.client, a.campaignId)]);
  if (!figures.campaign) throw new UnknownCampaignError(`no stored campaign ${JSON.stringify(a.campaignId)}`);
  const report: CampaignReport = { ...figures, state };
  const html = renderReportHtml(report);
  const file = path.resolve(a.file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  if (a.createFolder) mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(tmp, html, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file, bytes: Buffer.byteLength(html), report };
}
