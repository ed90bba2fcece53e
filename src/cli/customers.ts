import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { importCustomers } from '../db/customerImport';
import { withContext } from './context';

export function registerCustomers(program: Command): void {
  program
    .command('customers')
    .description('customers')
    .command('import <file>')
    .description('import customers from JSON Lines (all or nothing: any bad line rejects the file)')
    .action((file: string) =>
      withContext(async (ctx) => {
        const { imported } = await importCustomers(ctx.db(), readFileSync(file, 'utf8'));
        console.log(`imported ${imported} customers from ${file}`);
      }),
    );
}
