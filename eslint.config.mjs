// Lint with type information. The layer rule is also enforced by the esbuild build and a unit test;
// here it shows up in the editor as you type.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeBan = { name: 'vscode', message: 'Only src/extension may import vscode (DESIGN.md: the one dependency rule).' };
const layer = (allowed) => ({
  patterns: [{
    group: ['**/core/**', '**/infra/**', '**/extension/**', '**/cli/**', '**/webview/**', '**/shared/**', '**/simulator/**']
      .filter((g) => !allowed.some((a) => g.includes(`/${a}/`))),
    message: 'This import breaks the layer rule: shared ← core ← infra ← extension/cli, webview → shared, simulator → shared (only extension/cli import it).',
  }],
});

export default tseslint.config(
  { ignores: ['test/fixtures/**', 'bench/**/*.js', 'dist/**', 'node_modules/**', '.vscode-test/**', '.sandbox/**', 'coverage/**', 'test-results/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.webview.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use crypto for nonces and ids.' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [vscodeBan], ...layer(['core', 'shared']) }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['src/shared/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan], ...layer(['shared']) }] } },
  { files: ['src/infra/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan], ...layer(['infra', 'core', 'shared']) }] } },
  { files: ['src/cli/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan], ...layer(['cli', 'infra', 'core', 'shared', 'simulator']) }] } },
  { files: ['src/webview/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan], ...layer(['webview', 'shared']) }] } },
  {
    // The simulator stands alone (a fake Messages API server): src/shared and node's own modules only.
    files: ['src/simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeBan],
        patterns: [...layer(['simulator', 'shared']).patterns, { regex: '^(?!node:|\\.)', message: 'src/simulator imports only node: modules and src/shared.' }],
      }],
    },
  },
  {
    // Tests and scripts: node:test's describe/it return promises by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/require-await': 'off' },
  },
  {
    // Callbacks passed to page.evaluate run in the browser; this program has no DOM types for them.
    files: ['test/e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off', '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { fetch: 'readonly', AbortSignal: 'readonly', process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' },
    },
  },
);
