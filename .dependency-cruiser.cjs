// The layers of src/ and the direction of their imports (docs/testing.md, "Layout"). `npm run lint` fails on any import that
// goes the other way, and on any import cycle. src/ is the product: it imports nothing of the tools beside it (dev/:
// the local stack and the SendGrid fake; test/, bench/, scripts/), which the production image leaves out.
// A layer may import only itself and the layers listed for it; type-only imports count too, except where noted.
const layers = {
  contract: [], // the neutral contract: imported by everyone, imports nothing of ours
  'config.ts': [],
  email: ['contract'],
  campaigns: ['contract', 'email'],
  db: ['contract', 'campaigns', 'email'],
  report: ['contract', 'email', 'campaigns', 'db'],
  runs: ['contract', 'campaigns', 'db'],
  activities: ['contract', 'config.ts', 'campaigns', 'db', 'email', 'runs'],
  temporal: ['contract', 'config.ts', 'activities', 'db', 'email'],
  // preview, test send, why: what a send would be and why it was what it was, with the activities' own composing code
  inspect: ['contract', 'config.ts', 'campaigns', 'db', 'email', 'activities'],
  replay: ['contract', 'temporal'],
  service: ['contract', 'config.ts', 'campaigns', 'db', 'email', 'runs', 'temporal'],
  cli: ['contract', 'config.ts', 'campaigns', 'db', 'email', 'report', 'runs', 'replay', 'temporal', 'service', 'worker.ts', 'inspect'],
  'worker.ts': ['config.ts', 'db', 'temporal'],
};

const segment = (name) => (name.endsWith('.ts') ? name.replace('.', '\\.') + '$' : `${name}/`);

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
      comment: 'workflow code runs in the sandbox: only the contract, other workflow files and (as types) activities',
      from: { path: '^src/workflows/' },
      to: { path: '^src/', pathNot: '^src/(workflows|contract)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nobody-imports-workflows',
      severity: 'error',
      comment: 'clients start workflows through the contract; the worker loads the workflow code by path, not by import',
      from: { path: '^(src|dev)/', pathNot: '^src/workflows/' },
      to: { path: '^src/workflows/' },
    },
    ...Object.entries(layers)
      .filter(([name]) => name !== 'workflows')
      .map(([name, allowed]) => ({
        name: `layer-${name.replace('.ts', '')}`,
        severity: 'error',
        comment: `${name} may import only: ${allowed.join(', ') || 'nothing of ours'}`,
        from: { path: `^src/${segment(name)}` },
        to: { path: '^src/', pathNot: `^src/(${[name, ...allowed].map(segment).join('|')})` },
      })),
    {
      name: 'every-module-has-a-layer',
      severity: 'error',
      comment: 'a new folder under src/ must be given its place in .dependency-cruiser.cjs',
      from: { path: '^src/', pathNot: `^src/(workflows/|${Object.keys(layers).map(segment).join('|')})` },
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
