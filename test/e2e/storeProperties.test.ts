// Property test of `campaigns store` against Postgres: for any file text, storeCampaignText either refuses it (a syntax
// error or validation errors) and no table changes, or stores it, and then the stored version reads back as the
// campaign and every e-mail of it renders for a stored customer (or is refused with a TemplateRenderError, which fails
// that one send). Each case's database work and rendering run under a deadline.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonSyntaxError } from '../../src/campaigns/load';
import { CampaignValidationError, isValidId, walkActions } from '../../src/campaigns/validate';
import type { Campaign } from '../../src/campaigns/types';
import { templateContext } from '../../src/actions/sendEmail/activitySend';
import { storeCampaignText } from '../../src/cli/campaigns';
import { loadCampaignVersion } from '../../src/db/campaigns';
import { importCustomers } from '../../src/db/customerImport';
import { mutatedCampaign, validCampaign, anyCampaignText } from '../support/arbitraries/campaigns';
import { validLine } from '../support/arbitraries/customers';
import { toJsonText } from '../support/arbitraries/text';
import { deleteCampaigns, deleteCustomers, snapshotTables } from '../support/dbSnapshot';
import { testEnv } from '../support/env';
import { seedCategories, uid } from '../support/harness';
import { CASE_DEADLINE_MS, assertOneLine, runs } from '../support/properties';
import { Sandbox } from '../support/sandbox';

const STORE_TABLES = ['campaigns', 'campaign_versions', 'campaign_send_limits'];

/** Resolves `p`, or fails with what took too long: a database call that never answers must not hang the suite. */
async function within<T>(what: string, p: Promise<T>, ms = CASE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('campaign store properties', function () {
  this.timeout(600_000);
  const sandbox = new Sandbox();
  const prefix = uid('fz');
  let n = 0;
  let customer: ReturnType<typeof templateContext>['customer'] | undefined;
  const stats = { stored: 0, refused: 0, rendered: 0, renderRefused: 0, slowestMs: 0 };

  before(async () => {
    await seedCategories();
    await sandbox.call('checkTemplate', 'warm up', 60_000);
  });
  after(async () => {
    await sandbox.close();
    // Junk addresses on purpose: see importProperties.test.ts. No workflow ever ran these campaigns or customers.
    await deleteCustomers(prefix);
    await deleteCampaigns(prefix);
    console.log(
      `      ${stats.stored} stored, ${stats.refused} refused; ${stats.rendered} e-mails rendered, ${stats.renderRefused} refused`,
    );
    console.log(`      slowest case: ${stats.slowestMs} ms`);
  });

  /** The text of a document whose id, when it is a valid one, is this run's own (documents of other tests stay untouched). */
  const ownText = (doc: Record<string, unknown>, space?: number) => {
    if (typeof doc.id === 'string' && isValidId(doc.id)) doc.id = `${prefix}-${n++}`;
    return toJsonText(doc, space);
  };
  const campaignText = fc.oneof(
    { weight: 3, arbitrary: validCampaign.map((d) => ownText(d, 2)) },
    { weight: 5, arbitrary: mutatedCampaign.map(({ doc }) => ownText(doc)) },
    { weight: 2, arbitrary: anyCampaignText.filter((t) => !t.includes('"id"')) },
  );

  it('any campaign file: refused with nothing written, or stored and rendered for a stored customer (300 runs)', async () => {
    const { db } = testEnv();
    await fc.assert(
      fc.asyncProperty(campaignText, validLine(), async (text, line) => {
        const started = Date.now();
        // A stored customer of this run, as the activity reads them.
        const id = `${prefix}-c${n++}`;
        await within('import', importCustomers(db, JSON.stringify({ ...line, id })));
        const row = await db('customers').where({ external_id: id }).first();
        customer = templateContext(row, { id: 'x', name: 'x' }).customer;

        const before = await snapshotTables(db, STORE_TABLES);
        let stored: Awaited<ReturnType<typeof storeCampaignText>>;
        try {
          stored = await within('store', storeCampaignText(db, text, 'campaign.json'));
        } catch (err) {
          if (!(err instanceof CampaignValidationError || err instanceof JsonSyntaxError)) throw err;
          stats.refused++;
          for (const message of err instanceof CampaignValidationError ? err.errors.map((e) => e.message) : [err.message]) {
            assertOneLine(message, 'refusal');
          }
          assert.deepEqual(await snapshotTables(db, STORE_TABLES), before, 'a refused campaign writes nothing');
          return;
        }
        stats.stored++;
        const loaded = await loadCampaignVersion(db, stored.campaign.id, stored.version);
        assert.deepEqual(loaded, JSON.parse(JSON.stringify(stored.campaign)) as Campaign, 'the stored version reads back as the campaign');
        const emails: Campaign['actions'] = [];
        walkActions(loaded!.actions, (a) => a.type === 'sendEmail' && emails.push(a));
        for (const a of emails) {
          if (a.type !== 'sendEmail') continue;
          const ctx = { customer: customer!, campaign: { id: loaded!.id, name: loaded!.name } };
          const r = await sandbox.call('render', { content: a.settings, ctx }, CASE_DEADLINE_MS);
          assert.ok(r.ok, `rendering a stored campaign threw ${r.ok ? '' : `${r.name}: ${r.message}\n${r.stack}`}`);
          if (r.value.kind === 'rendered') stats.rendered++;
          else {
            stats.renderRefused++;
            assertOneLine(r.value.message, 'render refusal');
          }
        }
        stats.slowestMs = Math.max(stats.slowestMs, Date.now() - started);
      }),
      runs(300),
    );
  });
});
