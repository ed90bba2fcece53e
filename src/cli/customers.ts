import type { Command } from 'commander';
import { closeSync, createReadStream } from 'node:fs';
import { importCustomerStream } from '../db/customerImport';
import { withContext } from './context';
import { checkTextStart, openInputFile } from './inputFile';

export function registerCustomers(program: Command): void {
  program
    .command('customers')
    .description('customers')
    .command('import <file>')
    .description('import customers from JSON Lines (all or nothing: any bad line rejects the file; a known id merges)')
    .action((file: string) =>
      withContext(async (ctx) => {
        const { fd } = openInputFile(file);
        try {
          checkTextStart(fd, file);
        } catch (err) {
          closeSync(fd);
          throw err;
        }
        const { imported, inserted, updated } = await importCustomerStream(ctx.db(), createReadStream('', { fd, start: 0 }));
        console.log(`imported ${imported} customers from ${file} (${inserted} new, ${updated} updated)`);
      }),
    );
}
