// The limits that keep checking and rendering a template bounded (TEMPLATE_LIMITS.elements and .nesting), and the line
// index that replaced liquidjs' quadratic position lookup.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TEMPLATE_LIMITS, checkTemplate, compileEmail, renderEmail } from '../../src/email/render';
import { positionOf } from '../../src/email/liquidPositions';
import { CASE_DEADLINE_MS } from '../support/properties';
import { Sandbox } from '../support/sandbox';

const { elements, nesting } = TEMPLATE_LIMITS;
const ctx = {
  customer: { id: 'c-1', email: 'a@example.com', firstName: 'Ann', lastName: null, attributes: {}, tags: ['vip'] },
  campaign: { id: 'c', name: 'C' },
};

describe('template limits', () => {
  it(`takes ${elements} tags and outputs, not one more (each line of a liquid tag counts)`, () => {
    assert.deepEqual(checkTemplate('{{ customer.id }}'.repeat(elements)), []);
    assert.deepEqual(checkTemplate('{{ customer.id }}'.repeat(elements) + '\n{% assign x = 1 %}'), [
      `template has more than ${elements} Liquid tags and outputs (line 2, column 1)`,
    ]);
    assert.deepEqual(checkTemplate(`{% liquid\n${'echo 1\n'.repeat(elements)}%}`), [
      `template has more than ${elements} Liquid tags and outputs (line ${elements + 1}, column 1)`,
    ]);
  });

  it(`takes blocks nested ${nesting} deep, not ${nesting + 1}, and the accepted ones render`, async () => {
    const ifs = (n: number) => '{% if customer.id %}'.repeat(n) + 'deep' + '{% endif %}'.repeat(n);
    assert.deepEqual(checkTemplate(ifs(nesting)), []);
    const out = await renderEmail(compileEmail({ subject: ifs(nesting), html: ifs(nesting) }), ctx);
    assert.equal(out.html, 'deep');
    assert.deepEqual(checkTemplate(ifs(nesting + 1)), [
      `template nests blocks more than ${nesting} levels deep (line 1, column ${nesting * 20 + 1})`,
    ]);
    const fors = '{% for t in customer.tags %}'.repeat(5_000) + '{% endfor %}'.repeat(5_000);
    assert.match(checkTemplate(fors)[0], /^template nests blocks more than 50 levels deep/);
    const liquids = `{% liquid ${'liquid '.repeat(nesting + 1)}echo 1 %}`;
    assert.match(checkTemplate(liquids)[0], /^template nests blocks more than 50 levels deep/);
  });

  it(`takes brackets and parentheses nested ${nesting} deep in an expression, not ${nesting + 1}`, () => {
    const brackets = (n: number) => `{{ customer.tags${'['.repeat(n)}0${']'.repeat(n)} }}`;
    assert.ok(!checkTemplate(brackets(nesting)).some((p) => /nests/.test(p)));
    assert.deepEqual(checkTemplate(brackets(nesting + 1)), [
      `template nests brackets or parentheses more than ${nesting} levels deep (line 1, column ${16 + nesting + 1})`,
    ]);
    assert.match(checkTemplate(`{{ ${'('.repeat(10_000)}1..2${')'.repeat(10_000)} }}`)[0], /nests brackets or parentheses/);
    assert.deepEqual(checkTemplate(`{{ '${'['.repeat(100)}' }}`), [], 'brackets in a string are text');
  });

  it('quotes an unknown variable in one short printable line', () => {
    const [problem] = checkTemplate(`{{ customer.${'x'.repeat(500_000)} }}`);
    assert.equal(problem, `unknown variable "customer.${'x'.repeat(71)}…" (line 1, column 4)`);
    assert.deepEqual(checkTemplate('{{ customer.attributes.a }}{{ customer["\u202e"] }}'), [
      'unknown variable "customer.\\u202e" (line 1, column 31)',
    ]);
  });

  it('lists the first ten unknown variables, then how many more', () => {
    const problems = checkTemplate(Array.from({ length: 4_000 }, (_, i) => `{{ customer.p${i} }}`).join(''));
    assert.equal(problems.length, 11);
    assert.equal(problems[9], 'unknown variable "customer.p9" (line 1, column 157)');
    assert.equal(problems[10], 'and 3990 more unknown variables');
  });

  it("gives liquidjs' line and column from a line index", () => {
    // liquidjs' own algorithm (Token.getPosition before installFastPositions), as the reference.
    const scan = (input: string, begin: number) => {
      let [row, col] = [1, 1];
      for (let i = 0; i < begin; i++) {
        if (input[i] === '\n') [row, col] = [row + 1, 1];
        else col++;
      }
      return [row, col];
    };
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '\n', '\r', '😀') }),
        fc.nat(),
        fc.string({ maxLength: 3 }),
        (input, at, other) => {
          const offset = at % (input.length + 1);
          assert.deepEqual(positionOf(other, 0), [1, 1]); // another template in between must not confuse the index
          assert.deepEqual(positionOf(input, offset), scan(input, offset));
        },
      ),
      { numRuns: 300 },
    );
  });

  describe('under a deadline', function () {
    this.timeout(60_000);
    const sandbox = new Sandbox();
    after(() => sandbox.close());

    it('checks a 900,000-character template with 2,000 variables at its end at once (the position lookup was quadratic)', async () => {
      const source = 'x'.repeat(900_000) + '{{ customer.phone }}'.repeat(2_000);
      const r = await sandbox.call('checkTemplate', source, CASE_DEADLINE_MS);
      assert.ok(r.ok);
      assert.deepEqual(r.value, ['unknown variable "customer.phone" (line 1, column 900004)']);
    });

    it(`checks ${elements} case branches at once (their parsing is quadratic; more are refused before parsing)`, async () => {
      const cases = (n: number) => `{% case customer.id %}${"{% when 'a' %}x".repeat(n)}{% endcase %}`;
      const within = await sandbox.call('checkTemplate', cases(elements - 2), CASE_DEADLINE_MS);
      assert.ok(within.ok);
      assert.deepEqual(within.value, []);
      const beyond = await sandbox.call('checkTemplate', cases(60_000), CASE_DEADLINE_MS);
      assert.ok(beyond.ok);
      assert.match(beyond.value[0], /^template has more than 5000 Liquid tags and outputs/);
    });
  });
});
