import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.local/**',
      '.serverless/**',
      '.esbuild/**',
      'dist/**',
      'coverage/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // kafkajs is reached only through the project's ports (lib/kafka/ports.ts) and the plugin's client.
    ignores: ['lib/kafka/client.ts', 'plugins/serverless-offline-kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: 'Use lib/kafka/client.ts and the ports of lib/kafka/ports.ts.' },
          ],
        },
      ],
    },
  },
  {
    // The plugin is a package of its own: kafkajs only in its client.js, nothing of the project's.
    files: ['plugins/serverless-offline-kafka/**'],
    ignores: ['plugins/serverless-offline-kafka/client.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: "Use the plugin's client.js." }],
          patterns: [{ group: ['../*'], message: 'The plugin must not import from outside its folder.' }],
        },
      ],
    },
  },
  {
    files: ['plugins/serverless-offline-kafka/client.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'The plugin must not import from outside its folder.' }] },
      ],
    },
  },
);
