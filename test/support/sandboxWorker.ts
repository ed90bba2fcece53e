// The worker side of test/support/sandbox.ts: the checks of untrusted input that property tests call, by name. Anything
// a check throws goes back to the caller as { name, message, stack }; expected refusals come back as values.
import { parentPort } from 'node:worker_threads';
import { JsonSyntaxError, parseJsonText } from '../../src/campaigns/load';
import { validateCampaign, type ValidationResult } from '../../src/campaigns/validate';
import type { TemplateContext } from '../../src/campaigns/types';
import { TemplateRenderError, checkTemplate, compileEmail, renderEmail } from '../../src/email/render';
import type { EmailContent } from '../../src/email/types';
import { checkCustomerLine, IMPORT_LIMITS, type ImportLineError } from '../../src/db/customerLine';
import { readLines } from '../../src/db/jsonLines';

export type CampaignCheck = { kind: 'syntax'; message: string } | { kind: 'checked'; result: ValidationResult };
export type Rendered = { kind: 'rendered'; subject: string; html: string; text?: string } | { kind: 'refused'; message: string };

const calls = {
  /** What `campaigns validate` does with a file's text (categories: the codes that exist). */
  campaignText(arg: { text: string; categories: string[] }): CampaignCheck {
    let doc: unknown;
    try {
      doc = parseJsonText(arg.text, 'campaign.json');
    } catch (err) {
      if (err instanceof JsonSyntaxError) return { kind: 'syntax', message: err.message };
      throw err;
    }
    return { kind: 'checked', result: validateCampaign(doc, { categoryCodes: new Set(arg.categories) }) };
  },
  checkTemplate(source: string): string[] {
    return checkTemplate(source);
  },
  /**
   * What the import does with each line before the database (duplicates across lines are found there): the bytes cut
   * into chunks of the given sizes, as a stream delivers them (a chunk may end inside a character or a CRLF).
   */
  async customerText(arg: { bytes: Uint8Array; chunkSizes: number[]; categories: [string, boolean][] }): Promise<LinesChecked> {
    const categories = new Map(arg.categories.map(([code, visible]) => [code, { visible }]));
    const bytes = Buffer.from(arg.bytes);
    const chunks: Buffer[] = [];
    for (let at = 0, k = 0; at < bytes.length; k++) {
      const size = Math.max(1, arg.chunkSizes[k % arg.chunkSizes.length] ?? bytes.length);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const out: LinesChecked = { lines: [], errors: [], customers: [] };
    const stream = (async function* () {
      yield* chunks;
    })();
    for await (const raw of readLines(stream, IMPORT_LIMITS.lineBytes)) {
      out.lines.push(raw.line);
      if ('error' in raw) out.errors.push({ line: raw.line, field: null, message: raw.error });
      else if (raw.text.trim() !== '') {
        const checked = checkCustomerLine(raw.text, raw.line, categories);
        out.errors.push(...checked.errors);
        if (checked.customer) out.customers.push(checked.customer.id);
      }
    }
    return out;
  },
  /** What the sendEmail activity does with validated settings for one customer. */
  async render(arg: { content: EmailContent; ctx: TemplateContext }): Promise<Rendered> {
    try {
      return { kind: 'rendered', ...(await renderEmail(compileEmail(arg.content), arg.ctx)) };
    } catch (err) {
      if (err instanceof TemplateRenderError) return { kind: 'refused', message: err.message };
      throw err;
    }
  },
};

export type SandboxCalls = typeof calls;
export interface LinesChecked {
  /** the numbers of the lines read, in order */
  lines: number[];
  errors: ImportLineError[];
  /** ids of the lines without errors */
  customers: string[];
}

parentPort?.on('message', (m: { id: number; fn: keyof SandboxCalls; arg: never }) => {
  Promise.resolve()
    .then(() => (calls[m.fn] as (arg: unknown) => unknown)(m.arg))
    .then(
      (value) => parentPort!.postMessage({ id: m.id, ok: true, value }),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        parentPort!.postMessage({ id: m.id, ok: false, name: e.name, message: e.message, stack: e.stack });
      },
    );
});
// Loaded: the caller starts a call's deadline only now, so that a thread's start (slow under ts-node, or on a loaded
// machine) is not counted against the check it runs.
parentPort?.postMessage({ ready: true });
