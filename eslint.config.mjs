// Lint: typescript-eslint's recommended rules, plus the type-aware rules that catch real bugs in an
// event-driven server: a promise nobody awaits or catches (a lost error, an unhandled rejection that
// kills the process), a promise passed where a callback's result is ignored, and a switch over a
// union that forgets a case (a new event type must fail wherever it is not handled).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'bench/results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // A let read in a callback before its one assignment (a server that refers to the object wrapping it) is not a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Matching control characters is this project's job: the sanitizer and the framer exist to find them.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
