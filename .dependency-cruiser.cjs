// The layers of src/ and the direction of their imports (docs/testing.md, "Layout"). `npm run lint` fails on any import that
// goes the other way, and on any import cycle. src/ is the product: it imports nothing of the tools beside it (dev/:
// the local stack and the SendGrid fake; test/, bench/, scripts/), which the production image leaves out.
// A layer may import only itself and the layers listed for it; type-only imports count too, except where noted.
//
// A layer is a folder of src/ or one file, except in src/actions/, where each action type's module (a folder) spans
// three layers by file name: its definition (definition.ts, listed by index.ts) sits among the campaign document's
// layers, its activities (activity*.ts, listed by activities.ts) among the worker's, and its workflow code
// (workflow*.ts, listed by workflows.ts) in the sandbox with src/workflows/.
const WORKFLOW_CODE = '^src/(workflows/|actions/workflows[.]ts$|actions/[^/]+/workflow\\w*[.]ts$)';
const PATHS = {
  'action definitions': '^src/actions/((index|definition)[.]ts$|[^/]+/definition[.]ts$)',
  'action activities': '^src/actions/(activities[.]ts$|[^/]+/activity\\w*[.]ts$)',
};
const pathOf = (name) => PATHS[name] ?? (name.endsWith('.ts') ? `^src/${name.replace('.', '[.]')}$` : `^src/${name}/`);

const layers = {
  contract: [], // the neutral contract: imported by everyone, imports nothing of ours
  'config.ts': [],
  email: ['contract'],
  // The document and its actions' definitions: validation and the run's tree read each type's definition, and a
  // definition is written with the document's building blocks (timing, storable text, JSON paths).
  'action definitions': ['contract', 'email', 'campaigns'],
  campaigns: ['contract', 'email', 'action definitions'],
  db: ['contract', 'campaigns', 'email'],
  report: ['contract', 'email', 'campaigns', 'action definitions', 'db'],
  runs: ['contract', 'campaigns', 'db'],
  // The worker's activities: those every run shares (activities/) and each action type's; createActivities gathers both.
  'action activities': ['contract', 'config.ts', 'campaigns', 'action definitions', 'db', 'email', 'activities'],
  activities: ['contract', 'config.ts', 'campaigns', 'action definitions', 'action activities', 'db', 'email', 'runs'],
  temporal: ['contract', 'config.ts', 'activities', 'db', 'email'],
  // preview, test send, why: what a send would be and why it was what it was, with the activities' own composing code
  inspect: ['contract', 'config.ts', 'campaigns', 'action definitions', 'db', 'email', 'activities', 'action activities'],
  replay: ['contract', 'temporal'],
  service: ['contract', 'config.ts', 'campaigns', 'db', 'email', 'runs', 'temporal'],
  cli: ['contract', 'config.ts', 'campaigns', 'db', 'email', 'report', 'runs', 'replay', 'temporal', 'service', 'worker.ts', 'inspect'],
  'worker.ts': ['config.ts', 'db', 'temporal'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'import cycles make layers meaningless',
      from: { path: '^(src|dev)/' },
      to: { circular: true },
    },
    {
      name: 'product-imports-no-tools',
      severity: 'error',
      comment: 'src/ is the product: the image has neither the local stack nor the SendGrid fake (dev/), nor tests',
      from: { path: '^src/' },
      to: { path: '^(dev|test|bench|scripts)/' },
    },
    {
      name: 'workflows-import-only-the-contract',
      severity: 'error',
      comment: 'workflow code runs in the sandbox: only the contract, other workflow code and (as types) anything else',
      from: { path: WORKFLOW_CODE },
      to: { path: '^src/', pathNot: `${WORKFLOW_CODE}|^src/contract/`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nobody-imports-workflows',
      severity: 'error',
      comment: 'clients start workflows through the contract; the worker loads the workflow code by path, not by import',
      from: { path: '^(src|dev)/', pathNot: WORKFLOW_CODE },
      to: { path: WORKFLOW_CODE },
    },
    ...Object.entries(layers).map(([name, allowed]) => ({
      name: `layer-${name.replace('.ts', '').replace(' ', '-')}`,
      severity: 'error',
      comment: `${name} may import only: ${allowed.join(', ') || 'nothing of ours'}`,
      from: { path: pathOf(name) },
      to: { path: '^src/', pathNot: [name, ...allowed].map(pathOf).join('|') },
    })),
    {
      name: 'every-module-has-a-layer',
      severity: 'error',
      comment: 'a new folder under src/ (or a file of src/actions/ named otherwise) must be given its place here',
      from: { path: '^src/', pathNot: [WORKFLOW_CODE, ...Object.keys(layers).map(pathOf)].join('|') },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
