import type { Command } from 'commander';
import { importCustomerFile } from '../db/customerImport';
import { withContext } from './context';

export function registerCustomers(program: Command): void {
  program
    .command('customers')
    .description('customers')
    .command('import <file>')
    .description('import customers from JSON Lines (all or nothing: any bad line rejects the file; a known id merges)')
    .action((file: string) =>
      withContext(async (ctx) => {
        const { imported, inserted, updated } = await importCustomerFile(ctx.db(), file);
        console.log(`imported ${imported} customers from ${file} (${inserted} new, ${updated} updated)`);
      }),
    );
}
