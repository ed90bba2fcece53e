// One module per action type: outside src/actions/ (each type's folder and the registries that list them) the product's
// code names no action type, so that adding a type is a folder and a line in each registry, and nothing else to find.
// "Names" is read from the code, not the comments: an identifier spelled as a type, a string equal to one, or a string
// that quotes one (SQL over the stored documents, say).
// The few exceptions below are not the action type itself, and each says why.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ACTION_TYPES } from '../../src/contract';
import { fromRoot } from '../support/paths';

const ALLOWED: Record<string, { names: string[]; why: string }> = {
  'src/contract/actionTypes.ts': { names: [...ACTION_TYPES], why: 'the one list of the types: the registries are keyed by it' },
  'src/contract/runs.ts': {
    names: ['wait', 'waitUntil', 'split'],
    why: "ActionNode's fields, the public shape of a run's input (each type's definition fills its own)",
  },
  'src/workflows/actions/variants.ts': {
    names: ['split'],
    why: "ActionNode.split, the tree field Split and Control group share: one handler logic for both, which neither type's folder may hold (the sandbox lets a type's workflow code import no other type's)",
  },
  'src/report/splitFigures.ts': {
    names: ['split', 'controlGroup'],
    why: "the report's figures per variant: which of the two kinds of action they are, to head the section",
  },
  'src/report/html.ts': {
    names: ['split', 'controlGroup'],
    why: "the report's section of a split's figures, headed by its kind (Split, Control group)",
  },
  'src/report/splitReport.ts': {
    names: ['split', 'controlGroup'],
    why: "the per-variant figures read the flow log's rows of these two types, as the actions record them (the agreed interface)",
  },
  'src/report/splitText.ts': { names: ['split', 'controlGroup'], why: "the text report's line per variant, worded by its kind" },
  'src/report/variantComparisons.ts': {
    names: ['controlGroup'],
    why: 'a control group compares target against control, a split its variants against the first',
  },
  'src/temporal/worker.ts': {
    names: ['sendEmail'],
    why: 'the sendEmail activity, which a campaign with a messages-per-minute limit runs on its own queue',
  },
  'src/temporal/sendQueues.ts': { names: ['sendEmail'], why: 'the sendEmail activity, which the messages-per-minute queues run' },
  'src/cli/run.ts': { names: ['wait'], why: 'the --wait option of `run`' },
  'src/inspect/preview.ts': {
    names: ['sendEmail'],
    why: 'preview and test-send are tools of the Send e-mail action: they load that action and compose with its module',
  },
  'src/db/deliveryEvents.ts': {
    names: ['sendEmail', 'checkEmailStatus'],
    why: "SQL over the stored documents, in the e-mail events' own layer: an e-mail action's BCC, the checks that watch it",
  },
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** `text.split(',')`: the type `split` shares its name with a method of String, which names no action type. */
function isStringSplit(node: ts.Identifier): boolean {
  const access = node.parent;
  return (
    node.text === 'split' &&
    ts.isPropertyAccessExpression(access) &&
    access.name === node &&
    ts.isCallExpression(access.parent) &&
    access.parent.expression === access
  );
}

/** The action types a file's code names, with the first line of each. */
function typesNamed(file: string): Map<string, number> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const types = new Set<string>(ACTION_TYPES);
  const found = new Map<string, number>();
  const visit = (node: ts.Node): void => {
    const line = () => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    if (ts.isIdentifier(node) && types.has(node.text) && !found.has(node.text) && !isStringSplit(node)) found.set(node.text, line());
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node))
      for (const type of types)
        if (!found.has(type) && (node.text === type || node.text.includes(`"${type}"`) || node.text.includes(`'${type}'`)))
          found.set(type, line());
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('action type names', () => {
  it('no file of src/ outside src/actions/ names an action type, but the exceptions', () => {
    const root = fromRoot();
    const named: string[] = [];
    for (const file of tsFiles(fromRoot('src'))) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      if (rel.startsWith('src/actions/')) continue;
      for (const [type, line] of typesNamed(file)) if (!ALLOWED[rel]?.names.includes(type)) named.push(`${rel}:${line} names ${type}`);
    }
    assert.deepEqual(named, [], 'action types named outside their modules (src/actions/<type>/) and registries');
  });

  it('every exception still holds (a stale one would hide a new name)', () => {
    for (const [file, { names }] of Object.entries(ALLOWED)) {
      const found = typesNamed(fromRoot(file));
      assert.deepEqual(
        names.filter((n) => !found.has(n)),
        [],
        `${file} no longer names these`,
      );
    }
  });
});
