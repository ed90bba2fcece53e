// Lint: typescript-eslint with the promise rules that matter in Temporal code (a floating promise in a workflow or an
// activity loses its error), and the sandbox rule: workflow files (src/workflows/, and in src/actions/ the files named
// workflow*) import only the SDK's workflow-safe packages, the contract and other workflow files (types from elsewhere
// are fine: they are erased). Layers and cycles across src/ are
// dependency-cruiser's job (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sandboxMessage =
  'workflow code runs in the sandbox: import only @temporalio/workflow, @temporalio/common, src/contract and workflow files (types may come from anywhere)';

/** The sandbox rule: no package but the SDK's workflow-safe ones, and of our files (as values) only those `relative` allows. */
const sandbox = (relative) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: [
        { regex: '^(?![.]|@temporalio/(workflow|common)$)', message: sandboxMessage },
        ...relative.map((regex) => ({ regex, allowTypeImports: true, message: sandboxMessage })),
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.stack/**', 'bin/**', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // The SendGrid client and knex rows are untyped at the edges; `any` stays allowed there, and reviewed.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The failure converter is bundled into the sandbox too (src/temporal/workerShared.ts).
    files: ['src/workflows/**/*.ts', 'test/replay/variants/**/*.ts', 'src/temporal/failureConverter.ts'],
    rules: sandbox([
      // src/workflows/*.ts: the contract, workflow files, and the action types' handlers through their registry
      '^[.][.]/(?!contract$|workflows/|actions/workflows$|[.][.]/)',
      // src/workflows/actions/*.ts: the contract; test/replay/variants/: the contract and any workflow code
      '^[.][.]/[.][.]/(?!contract$|[.][.]/src/(contract(/|$)|workflows(/|$)|actions/workflows$|actions/[^/]+/workflow\\w*$))',
    ]),
  },
  {
    // An action type's workflow code (src/actions/<type>/workflow*.ts) and the handlers' registry (src/actions/workflows.ts):
    // beside them are the type's definition and activities, which the sandbox must not load.
    files: ['src/actions/workflows.ts', 'src/actions/*/workflow*.ts'],
    rules: sandbox([
      '^[.]/(?!([^/]+/)?workflow\\w*$)',
      '^[.][.]/(?!contract$|workflows/|[.][.]/)',
      '^[.][.]/[.][.]/(?!contract$|workflows/)',
    ]),
  },
);
