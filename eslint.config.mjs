import jupyter from '@jupyter/eslint-plugin';
import js from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'lib',
      'coverage',
      '**/*.d.ts',
      'jupyterlab_s3_connectors/labextension',
      'ui-tests/node_modules',
      'ui-tests/test-results',
      'ui-tests/playwright-report',
      '.venv',
      '.demo',
      'bench/node_modules',
      '*.config.js',
      'babel.config.js',
      'eslint.config.mjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...jupyter.configs.recommended,
  prettierRecommended,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    languageOptions: {
      parserOptions: {
        project: 'tsconfig.test.json',
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    files: ['src/__tests__/**', 'ui-tests/**'],
    rules: {
      'jupyter/no-untranslated-string': 'off',
      '@typescript-eslint/no-explicit-any': 'off'
    }
  }
);
