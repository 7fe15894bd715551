import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'examples/**', '.codecrew/**', 'packages/viewer/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@codecrew/*/src/*', '@codecrew/*/src'], message: 'Import a package through its public entry, not its internals.' },
            { group: ['../../packages/*', '../../../packages/*', '../../sandbox/src/*', '../../agents/src/*', '../../orchestrator/src/*'], message: 'Import other packages by name (@codecrew/...), not by path.' },
          ],
        },
      ],
    },
  },
);
