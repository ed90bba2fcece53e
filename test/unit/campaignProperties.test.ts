// Property tests of campaign validation, from a file's text as `campaigns validate` reads it: for any text, the answer
// comes within the deadline and is a syntax error with line and column, a list of errors each with a JSON path into the
// document and a one-line message, or a campaign that survives a JSON round trip and holds only storable text. Each
// case runs in a worker thread under a deadline (test/support/sandbox.ts). Storing and rendering accepted campaigns:
// test/e2e/storeProperties.test.ts.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { joinPath } from '../../src/campaigns/jsonPath';
import type { ValidationError } from '../../src/campaigns/validate';
import { CATEGORIES, anyCampaignText, mutatedCampaign, pathsOf, validCampaign } from '../support/arbitraries/campaigns';
import { nastyString, toJsonText } from '../support/arbitraries/text';
import { CASE_DEADLINE_MS, assertOneLine, runs, unstorable } from '../support/properties';
import { Sandbox } from '../support/sandbox';
import type { CampaignCheck } from '../support/sandboxWorker';

/** The segments of a JSON path as joinPath writes it, or null when it is not one. */
function parsePath(path: string): (string | number)[] | null {
  if (!path.startsWith('$')) return null;
  const out: (string | number)[] = [];
  let rest = path.slice(1);
  while (rest) {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z_$][A-Za-z0-9_$]*)/.exec(rest))) out.push(m[1]);
    else if ((m = /^\[(\d+)\]/.exec(rest))) out.push(Number(m[1]));
    else if ((m = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest))) out.push(JSON.parse(m[1]) as string);
    else return null;
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** The path leads into the document: every segment but the last exists (the last may name a missing key). */
function assertPathInto(doc: unknown, e: ValidationError): void {
  const segments = parsePath(e.path);
  assert.ok(segments, `not a JSON path: ${JSON.stringify(e.path.slice(0, 200))}`);
  assert.equal(joinPath('$', segments), e.path, 'the path is written the one way joinPath writes it');
  let v: unknown = doc;
  segments.slice(0, -1).forEach((s, i) => {
    assert.ok(v !== null && typeof v === 'object' && Object.hasOwn(v, s), `${e.path}: segment ${i} is not in the document`);
    v = (v as Record<string, unknown>)[s as string];
  });
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, out.concat(k));
  return out;
}

describe('campaign validation properties', function () {
  this.timeout(300_000);
  const sandbox = new Sandbox();
  // The worker's first call loads the modules: not part of any case's time.
  before(() => sandbox.call('checkTemplate', 'warm up', 60_000));
  const slowest = { ms: 0, length: 0 };
  after(async () => {
    await sandbox.close();
    console.log(`      slowest validation: ${slowest.ms} ms (a ${slowest.length}-character file)`);
  });

  async function validate(text: string): Promise<CampaignCheck> {
    const r = await sandbox.call('campaignText', { text, categories: CATEGORIES }, CASE_DEADLINE_MS);
    assert.ok(r.ok, `validation threw ${r.ok ? '' : `${r.name}: ${r.message}\n${r.stack}`}`);
    if (r.ms > slowest.ms) Object.assign(slowest, { ms: r.ms, length: text.length });
    return r.value;
  }

  /** What every answer must be, whatever the text. */
  async function answerIsClean(text: string): Promise<CampaignCheck> {
    const c = await validate(text);
    if (c.kind === 'syntax') {
      assertOneLine(c.message, 'syntax error');
      assert.match(c.message, /^campaign\.json: line \d+, column \d+: /);
      return c;
    }
    if (c.result.ok) {
      const campaign = c.result.campaign;
      const bad = strings(campaign).find(unstorable);
      assert.equal(bad, undefined, `an accepted campaign holds text Postgres cannot store: ${JSON.stringify(bad?.slice(0, 100))}`);
      const again = await validate(JSON.stringify(campaign));
      assert.ok(again.kind === 'checked' && again.result.ok, 'an accepted campaign, written back as JSON, is accepted again');
      assert.deepEqual(again.result.campaign, campaign, 'and validates to the same campaign');
      return c;
    }
    assert.ok(c.result.errors.length > 0, 'a rejection lists at least one error');
    const doc = JSON.parse(text) as unknown;
    for (const e of c.result.errors) {
      assertOneLine(e.message, `error at ${e.path.slice(0, 100)}`);
      assertPathInto(doc, e);
      assert.ok(e.path.length <= 2_000, `path of ${e.path.length} characters`);
    }
    return c;
  }

  it('any text: a syntax error, errors with JSON paths, or a storable campaign (500 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(anyCampaignText, async (text) => void (await answerIsClean(text))),
      runs(500),
    );
  });

  it('documents written as docs/campaigns.md says are accepted (200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(validCampaign, async (doc) => {
        const c = await answerIsClean(toJsonText(doc, 2));
        assert.ok(
          c.kind === 'checked' && c.result.ok,
          `rejected: ${JSON.stringify(c.kind === 'checked' && !c.result.ok && c.result.errors)}`,
        );
      }),
      runs(200),
    );
  });

  it('an unknown key anywhere is reported at its own path (200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(validCampaign, fc.nat(), nastyString(12), async (doc, i, suffix) => {
        const objects = pathsOf(doc).filter((p) => {
          const v = p.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc);
          return v !== null && typeof v === 'object' && !Array.isArray(v);
        });
        const at = objects[i % objects.length];
        const key = `zz${suffix}`; // no known key starts with zz
        const target = at.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc) as Record<string, unknown>;
        target[key] = 1;
        const c = await answerIsClean(toJsonText(doc));
        assert.ok(c.kind === 'checked' && !c.result.ok, 'rejected');
        const expected = joinPath('$', [...at, key]);
        assert.ok(
          c.result.errors.some((e) => e.path === expected && /unknown key/.test(e.message)),
          `expected an unknown key error at ${expected}: ${JSON.stringify(c.result.errors)}`,
        );
      }),
      runs(200),
    );
  });

  it('a mutated document is rejected with paths or accepted whole (300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedCampaign, async ({ doc }) => void (await answerIsClean(toJsonText(doc)))),
      runs(300),
    );
  });
});
