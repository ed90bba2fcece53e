// preview and test-send: a Send e-mail action's message for one customer (or the built-in test customer), rendered by
// the send's own code. preview sends and writes nothing; test-send sends one message to a tester's address. CLI only:
// the HTTP service has no authentication, so neither has an endpoint there.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { sendgridApiKey, workerUnsubscribeSettings } from '../config';
import { isValidId } from '../campaigns/validate';
import { isValidEmail } from '../email/address';
import { createSendGridMailer, type OutgoingEmail } from '../email/mailer';
import { quote } from '../email/quote';
import { TemplateRenderError } from '../email/render';
import { describeRuleInputs } from '../email/ruleInputs';
import { InspectError, preview, type Decision, type Preview } from '../inspect/preview';
import { testSend } from '../inspect/testSend';
import { UsageError, withContext, type CliContext } from './context';
import { CUSTOMER_ID } from './run';
import { loadStored } from './stored';

interface TargetOpts {
  campaign: string;
  campaignVersion?: string;
  action: string;
  customer?: string;
  testCustomer?: boolean;
  at?: string;
}

/** The checks every option of both commands gets before anything is read: one line each, naming the option. */
function checkTarget(o: TargetOpts): { customerId: string | null; now: Date } {
  if (!isValidId(o.campaign)) throw new UsageError(`--campaign: ${quote(o.campaign)} is not a campaign id`);
  if (!isValidId(o.action)) throw new UsageError(`--action: ${quote(o.action)} is not an action id`);
  if (o.customer !== undefined && o.testCustomer) throw new UsageError('--test-customer: give it or --customer <id>, not both');
  if (o.customer === undefined && !o.testCustomer) throw new UsageError('--customer: give --customer <id> or --test-customer');
  if (o.customer !== undefined && !CUSTOMER_ID.test(o.customer))
    throw new UsageError(`--customer: ${quote(o.customer)} is not a customer id`);
  let now = new Date();
  if (o.at !== undefined) {
    // An instant: a date and a time with its zone (Z or an offset), so that it means the same on every machine.
    const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/.test(o.at) ? Date.parse(o.at) : NaN;
    if (Number.isNaN(ms)) throw new UsageError(`--at: ${quote(o.at)} is not a time with its zone (e.g. 2026-12-24T09:00:00Z)`);
    now = new Date(ms);
  }
  return { customerId: o.customer ?? null, now };
}

/** The library's refusals as the CLI's one line: the option first, then what is wrong. */
async function asUsage<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InspectError) throw new UsageError(err.option ? `${err.option}: ${err.message}` : err.message);
    // The renderer's words name the template (subject, html, text) and the line, never the customer's data.
    if (err instanceof TemplateRenderError) throw new UsageError(`--action: action ${quote(action)}: ${err.message}`);
    throw err;
  }
}

async function target(ctx: CliContext, o: TargetOpts) {
  const checked = checkTarget(o);
  const stored = await loadStored(ctx.db(), o.campaign, o.campaignVersion);
  return { ...checked, campaignId: o.campaign, campaignVersion: stored.version };
}

function addTargetOptions(c: Command): Command {
  return c
    .requiredOption('--campaign <id>', 'stored campaign id')
    .option('--campaign-version <n>', 'stored version (default: the latest)')
    .requiredOption('--action <id>', 'the Send e-mail action')
    .option('--customer <id>', 'render for this customer')
    .option('--test-customer', 'render for the built-in test customer (test@test.com)', false)
    .option('--at <time>', "render templates as at this time ('now' in date filters), e.g. 2026-12-24T09:00:00Z (default: now)");
}

const address = (a: { email: string; name?: string } | undefined) => (a ? (a.name ? `${a.name} <${a.email}>` : a.email) : '-');

export function decisionLines(d: Decision): string[] {
  const head = d.testCustomer
    ? 'decision: send (the built-in test customer: every rule passes)'
    : `decision now: ${d.outcome}${d.reasons.length ? ` (${d.reasons.join(', ')})` : ''}`;
  return [head, ...describeRuleInputs(d.inputs).map((l) => `  ${l}`)];
}

function messageLines(m: OutgoingEmail, unsubscribeUrl: string | null): string[] {
  const lines = [
    `from:      ${address(m.from)}`,
    `reply-to:  ${address(m.replyTo)}`,
    `to:        ${address(m.to)}`,
    `subject:   ${m.subject}`,
    `category:  ${m.categories?.join(', ') ?? '-'}${m.asmGroupId !== undefined ? ` (SendGrid suppression group ${m.asmGroupId})` : ''}`,
    `bcc:       ${m.bcc.length ? m.bcc.join(', ') : '-'}`,
    `unsubscribe link: ${unsubscribeUrl ?? '-'}`,
  ];
  for (const [k, v] of Object.entries(m.headers ?? {})) lines.push(`header ${k}: ${v}`);
  lines.push(
    `custom_args: ${Object.entries(m.customArgs)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  return lines;
}

/** preview-<campaign>-<action>-<customer>.html in the working directory, with only safe characters. */
function defaultHtmlFile(p: Preview): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `preview-${safe(p.campaign.id)}-${safe(p.actionId)}-${safe(p.customerId ?? 'test-customer')}.html`;
}

function writeHtml(file: string, html: string): void {
  try {
    writeFileSync(file, html);
  } catch (err) {
    throw new UsageError(`--html: cannot write ${quote(file, 200)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

export function registerPreview(program: Command): void {
  addTargetOptions(
    program
      .command('preview')
      .description("show what a Send e-mail action would send to a customer now, and the rules' decision; sends and writes nothing"),
  )
    .option('--html <file>', 'where to write the HTML body (default: preview-<campaign>-<action>-<customer>.html here)')
    .option('--json', 'print everything as JSON (the HTML body inside; a file only with --html)', false)
    .action((o: TargetOpts & { html?: string; json: boolean }) =>
      withContext(async (ctx) => {
        const t = await target(ctx, o);
        const unsubscribe = workerUnsubscribeSettings(ctx.config);
        const p = await asUsage(o.action, () => preview(ctx.db(), { ...t, actionId: o.action, unsubscribe }));
        const file = o.html ?? (o.json ? undefined : defaultHtmlFile(p));
        if (file) writeHtml(file, p.message.html);
        if (o.json) {
          console.log(JSON.stringify({ ...p, ...(file ? { htmlFile: path.resolve(file) } : {}) }, null, 2));
          return;
        }
        const who = p.customerId === null ? 'the built-in test customer' : `customer ${p.customerId}`;
        const out = [
          `preview of campaign ${p.campaign.id} version ${p.campaign.version}, action ${p.actionId}, for ${who}, rendered at ${p.renderedAt}`,
          '',
          ...decisionLines(p.decision),
          '',
          ...messageLines(p.message, p.unsubscribeUrl),
          '',
          p.message.text === undefined ? 'text: none (HTML only)' : `text:\n${p.message.text.replace(/^/gm, '  ')}`,
          `html: ${Buffer.byteLength(p.message.html)} bytes, written to ${file}`,
        ];
        console.log(out.join('\n'));
      }),
    );

  addTargetOptions(
    program
      .command('test-send')
      .description(
        'send one test message of a Send e-mail action to an address, rendered as for a customer: subject marked [TEST], no BCC, an unsubscribe link that changes nothing; never in the ledger, the report or a run',
      ),
  )
    .requiredOption('--to <address>', "the tester's address")
    .option('--json', 'print the result as JSON', false)
    .action((o: TargetOpts & { to: string; json: boolean }) =>
      withContext(async (ctx) => {
        if (!isValidEmail(o.to.trim())) throw new UsageError(`--to: ${quote(o.to)} is not a valid e-mail address`);
        const t = await target(ctx, o);
        const { config } = ctx;
        const unsubscribe = workerUnsubscribeSettings(config);
        const mailer = createSendGridMailer({
          apiKey: sendgridApiKey(config.sendgrid),
          baseUrl: config.sendgrid.baseUrl,
          timeoutMs: config.sendgrid.timeoutMs,
        });
        const r = await asUsage(o.action, () => testSend(ctx.db(), mailer, { ...t, actionId: o.action, unsubscribe, to: o.to }));
        if (o.json) {
          console.log(JSON.stringify(r, null, 2));
          return;
        }
        const who = t.customerId === null ? 'the built-in test customer' : `customer ${t.customerId}`;
        console.log(
          [
            `test send ${r.testSendId}: campaign ${t.campaignId} version ${t.campaignVersion}, action ${o.action}, rendered for ${who}`,
            `sent to an address at ${r.toDomain}; SendGrid message id ${r.messageId}`,
            `subject: ${r.subject}`,
            '',
            `${decisionLines(r.decision).join('\n')}`,
            '(shown, not enforced: a test send goes out whatever the rules say)',
          ].join('\n'),
        );
      }),
    );
}
