// Property tests of the template checker: for any source, checkTemplate answers within the deadline with one-line
// problems, or with none, and then the template renders for any customer (or is refused with a TemplateRenderError
// that names the template and the rule). Each case runs in a worker thread under a deadline (test/support/sandbox.ts).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TEMPLATE_LIMITS } from '../../src/email/render';
import { hrefValues, isAllowedHref } from '../../src/email/links';
import { templateContext } from '../support/arbitraries/customers';
import { anyTemplate, validTemplate } from '../support/arbitraries/templates';
import { CASE_DEADLINE_MS, assertOneLine, runs } from '../support/properties';
import { Sandbox } from '../support/sandbox';
import type { TemplateContext } from '../../src/campaigns/types';

describe('template checker properties', function () {
  this.timeout(300_000);
  const sandbox = new Sandbox();
  // The worker's first call loads the modules: not part of any case's time.
  before(() => sandbox.call('checkTemplate', 'warm up', 60_000));
  const slowest = { ms: 0, length: 0 };
  after(async () => {
    await sandbox.close();
    console.log(`      slowest check: ${slowest.ms} ms (a ${slowest.length}-character template)`);
  });

  async function check(source: string): Promise<string[]> {
    const r = await sandbox.call('checkTemplate', source, CASE_DEADLINE_MS);
    assert.ok(r.ok, `checkTemplate threw ${r.ok ? '' : `${r.name}: ${r.message}\n${r.stack}`}`);
    if (r.ms > slowest.ms) Object.assign(slowest, { ms: r.ms, length: source.length });
    return r.value;
  }

  async function renders(source: string, ctx: TemplateContext): Promise<void> {
    // Validation refuses the raw filter in the HTML body; what it refuses is never rendered.
    const html = /\|\s*raw\b/.test(source) ? '<p>x</p>' : source;
    const r = await sandbox.call('render', { content: { subject: source, html, text: source }, ctx }, CASE_DEADLINE_MS);
    assert.ok(r.ok, `rendering an accepted template threw ${r.ok ? '' : `${r.name}: ${r.message}\n${r.stack}`}`);
    const out = r.value;
    if (out.kind === 'refused') {
      assertOneLine(out.message, 'render refusal');
      assert.match(out.message, /^the (subject|html|text) template /);
      return;
    }
    assert.ok(!/[\r\n]/.test(out.subject), 'the subject is one line');
    assert.ok(
      hrefValues(out.html).every((h) => isAllowedHref(h)),
      'every link of the rendered html has an allowed scheme',
    );
  }

  it('any source: one-line problems, or none and it renders for any customer (300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(anyTemplate, templateContext, async (source, ctx) => {
        const problems = await check(source);
        for (const p of problems) assertOneLine(p, 'template problem');
        if (source.length > TEMPLATE_LIMITS.length) assert.equal(problems.length, 1, 'too long: one problem, nothing else');
        if (problems.length === 0) await renders(source, ctx);
      }),
      runs(300),
    );
  });

  it('templates made of known variables, filters and tags are accepted and render (200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(validTemplate, templateContext, async (source, ctx) => {
        assert.deepEqual(await check(source), []);
        await renders(source, ctx);
      }),
      runs(200),
    );
  });
});
