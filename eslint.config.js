// `npm run lint`: correctness rules for TypeScript and React hooks, and the import directions between
// the kernel, the server's layers and the web app (eslint-rules/layers.js). Formatting is not linted.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';
import switchyard from './eslint-rules/layers.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'apps/server/src/db/generated/**', 'e2e/test-results/**', 'e2e/playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Leading underscore marks a deliberately unused binding (e.g. a field stripped by destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['packages/workflow/src/**', 'apps/server/src/**', 'apps/web/src/**'],
    plugins: { switchyard },
    rules: {
      'switchyard/layers': [
        'error',
        { root: fileURLToPath(new URL('.', import.meta.url)) },
      ],
    },
  },
);
