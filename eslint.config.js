import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'charts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    // Layers (DESIGN §3): imports point down only.
    files: [
      'dataplane/src/services/**/*.ts',
      'dataplane/src/store/**/*.ts',
      'dataplane/src/platform/**/*.ts',
      'dataplane/src/query/**/*.ts',
      'dataplane/src/adapters/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/http/**', '**/realtime/**', '**/publicapi/**'],
              message: 'services and below never import the HTTP or realtime layers',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'dataplane/src/store/**/*.ts',
      'dataplane/src/platform/**/*.ts',
      'dataplane/src/query/**/*.ts',
      'dataplane/src/adapters/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/http/**', '**/realtime/**', '**/publicapi/**', '**/services/**'],
              message:
                'imports point down the layers: store/query/adapters/platform never import services or above',
            },
          ],
        },
      ],
    },
  },
  {
    // The operator builds on the dataplane's services, store, adapters and platform (same package),
    // never on its HTTP layer, realtime server or composition root.
    files: ['operator/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/dataplane/src/http/**',
                '**/dataplane/src/realtime/**',
                '**/dataplane/src/publicapi/**',
                '**/dataplane/src/dataplane.js',
                '**/dataplane/src/main.js',
              ],
              message:
                'the operator uses the dataplane below its HTTP layer: services, store, adapters, platform',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['dataplane/src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/http/**', '**/services/**', '**/store/**', '**/query/**', '**/adapters/**'],
              message: 'platform is the bottom layer',
            },
          ],
        },
      ],
    },
  },
);
