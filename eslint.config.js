import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { flatConfigs as importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import tseslint from 'typescript-eslint';
import { noCycleThroughTypes } from './lint/no-cycle-through-types.js';

const ROOT = import.meta.dirname;
const SOURCES = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];
/** import-x's TypeScript settings (extensions, parsers) without its legacy resolver: resolver-next below. */
const { 'import-x/resolver': _legacyResolver, ...importXTypeScript } = importX.typescript.settings;

/**
 * Aggregate slices: one folder per aggregate under aggregates/ (next to the registry aggregates/index.ts),
 * and test-only aggregates under test/fixtures/aggregates/. Read at every lint run, so a new slice is
 * fenced in without touching this file; a missing root simply has no slices.
 */
const SLICE_ROOTS = ['aggregates', 'test/fixtures/aggregates'];
const slices = SLICE_ROOTS.flatMap((root) => {
  try {
    return readdirSync(path.join(ROOT, root), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${root}/${entry.name}`);
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  }
});

/** One resolver, the project's tsconfig, for import-x and the local cycle rule alike. */
const resolver = createTypeScriptImportResolver({ project: path.join(ROOT, 'tsconfig.json') });
const local = { rules: { 'no-cycle-through-types': noCycleThroughTypes({ root: ROOT, resolver }) } };

const zones = [
  {
    target: 'lib',
    from: ['aggregates', 'functions', 'infra', 'scripts', 'bench', 'test', 'plugins'],
    message:
      'lib/ is machinery: it takes the aggregate registry as input and imports nothing from aggregates/, functions/, infra/, scripts/, bench/, test/ or plugins/.',
  },
  {
    target: ['infra/mariadb', 'infra/kafka'],
    from: ['aggregates', 'functions'],
    message: 'infra/mariadb and infra/kafka import nothing from aggregates/ or functions/.',
  },
  {
    target: 'plugins/serverless-offline-kafka',
    from: '.',
    except: ['./plugins/serverless-offline-kafka', './node_modules'],
    message:
      'plugins/serverless-offline-kafka/ is a standalone package: it imports only its own files and node_modules.',
  },
  {
    target: ['functions', 'infra', 'scripts', 'bench'],
    from: 'aggregates',
    except: ['./index.ts'],
    message:
      "Machinery takes aggregates through the registry: import aggregates/index.ts, never a slice's internals.",
  },
  ...slices.map((slice) => ({
    target: slice,
    from: [...slices.filter((other) => other !== slice), 'functions'],
    message: `An aggregate slice (${slice}/) imports neither another slice nor functions/.`,
  })),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.local/**',
      '.serverless/**',
      '.esbuild/**',
      'dist/**',
      'console/dist/**',
      'console/.build-*/**',
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
    // The console's front end runs in the browser (console/tsconfig.json).
    files: ['console/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: SOURCES,
    plugins: { ...importX.typescript.plugins, local },
    settings: {
      ...importXTypeScript,
      'import-x/resolver-next': [resolver],
    },
    rules: {
      // Cycles through node_modules cannot come back into the repository: not following them halves lint time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // import-x/no-cycle skips type-only imports; this reports the cycles that need one (lint/).
      'local/no-cycle-through-types': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones }],
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
    // The code the functions bundle reaches MariaDB only through lib/db/pool.ts, and Kafka only
    // through lib/kafka/client.ts (an adapter behind each small interface).
    files: ['lib/**', 'functions/**', 'aggregates/**'],
    ignores: ['lib/kafka/client.ts', 'lib/db/pool.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: 'Use lib/kafka/client.ts and the ports of lib/kafka/ports.ts.' },
            { name: 'mariadb', message: 'Use lib/db/pool.ts (pools, connections, transactions).' },
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
