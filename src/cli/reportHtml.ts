// `campaign-runner report --html <file>`: the report as one self-contained HTML file. A file that cannot be written is one
// line naming --html and the file, said before any query runs; the file is written whole or not at all.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { quote } from '../email/quote';
import { UnknownCampaignError, writeHtmlReport } from '../report/htmlFile';
import { UsageError, type CliContext } from './context';

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such folder';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied';
  if (code === 'ENAMETOOLONG') return 'the file name is too long';
  return `cannot be written (${code ?? (err as Error).message})`;
}

/** Refuses a target the report could not be written to: a folder, a missing or read-only folder. */
function checkTarget(file: string): void {
  const shown = quote(file, 200);
  if (file.trim() === '') throw new UsageError('--html: give a file name, e.g. report.html');
  const abs = path.resolve(file);
  const existing = statSync(abs, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new UsageError(`--html: ${shown} is a directory; give a file name, e.g. report.html`);
  if (existing && !existing.isFile()) throw new UsageError(`--html: ${shown} is not a regular file`);
  try {
    if (!statSync(path.dirname(abs)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(path.dirname(abs), constants.W_OK);
  } catch (err) {
    throw new UsageError(`--html: ${shown}: ${why(err)}`);
  }
}

const FILE_CALLS = new Set(['open', 'write', 'rename']);

export async function htmlReport(ctx: CliContext, campaignId: string, file: string): Promise<void> {
  checkTarget(file);
  try {
    const written = await writeHtmlReport({ db: ctx.db(), client: await ctx.client(), campaignId, file });
    console.log(`wrote ${written.file} (${(written.bytes / 1024).toFixed(1)} KiB)`);
  } catch (err) {
    if (err instanceof UnknownCampaignError) throw new UsageError(`--campaign: ${err.message}; nothing was written`);
    // Only the file's own calls: a refused database or server connection has a syscall too (connect).
    if (FILE_CALLS.has((err as NodeJS.ErrnoException).syscall ?? '')) throw new UsageError(`--html: ${quote(file, 200)}: ${why(err)}`);
    throw err;
  }
}
