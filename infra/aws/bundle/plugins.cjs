// esbuild plugins for the Lambda bundles (custom.esbuild.plugins in serverless.yml), to keep each
// function small enough for a quick cold start. test/aws/package.test.ts checks the sizes, and
// test/aws/bundled-functions.test.ts runs the bundles against the real MariaDB.
/* eslint-disable @typescript-eslint/no-require-imports -- serverless-esbuild loads this file with require() */
const fs = require('node:fs');
const path = require('node:path');

/** iconv-lite -> a utf8-only stand-in (see iconv-lite-utf8.mjs). */
const iconvLiteUtf8 = {
  name: 'iconv-lite-utf8',
  setup(build) {
    build.onResolve({ filter: /^iconv-lite$/ }, () => ({
      path: path.join(__dirname, 'iconv-lite-utf8.mjs'),
    }));
  },
};

/** Charsets whose collations the mariadb connector keeps: utf8 (mb3 and mb4), latin1, ascii, binary. */
const KEPT_CHARSETS = new Set(['utf8', 'latin1', 'ascii', 'binary']);

/**
 * The mariadb connector's collation table lists all 1,296 collations of every charset (70 KiB
 * minified); keep the rows of the charsets above. A column in another charset would have no
 * collation, which our utf8mb4 schemas never produce.
 */
const mariadbUtf8Collations = {
  name: 'mariadb-utf8-collations',
  setup(build) {
    build.onLoad({ filter: /[\\/]mariadb[\\/]lib[\\/]const[\\/]collations\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const row = /^charsets\[\d+\] = new Collation\(\d+, '[^']*', '([^']*)', \d+\);$/;
      const contents = source
        .split('\n')
        .filter((line) => {
          const match = row.exec(line);
          return !match || KEPT_CHARSETS.has(match[1]);
        })
        .join('\n');
      return { contents, loader: 'js' };
    });
  },
};

/**
 * CQRS_REGISTRY=<file>: bundles that file in place of the product registry (aggregates/index.ts),
 * so tests can run `sls offline` with aggregates registered only for them
 * (test/fixtures/registry.ts). The stand-in may import the product registry itself. Unset, as in
 * every deploy, the bundles are untouched.
 */
const registryOverride = {
  name: 'registry-override',
  setup(build) {
    const standIn = process.env.CQRS_REGISTRY && path.resolve(process.env.CQRS_REGISTRY);
    if (!standIn) return;
    const product = path.resolve(__dirname, '..', '..', '..', 'aggregates', 'index.ts');
    build.onResolve({ filter: /aggregates[\\/]index\.(js|ts)$/ }, (args) => {
      if (path.resolve(args.importer) === standIn) return undefined;
      const target = path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      return target === product ? { path: standIn } : undefined;
    });
  },
};

/**
 * @smithy/* packages (SigV4 signing of the trace export) through their ES module builds: the
 * CommonJS build of @smithy/hash-node requires all of @smithy/core (130 KiB minified), of which
 * the ES build lets esbuild keep the few functions used (3 KiB).
 */
const smithyEsm = {
  name: 'smithy-esm',
  setup(build) {
    build.onResolve({ filter: /^@smithy\/[^/]+$/ }, (args) => {
      const manifest = require.resolve(`${args.path}/package.json`, { paths: [args.resolveDir] });
      const { module: esEntry, exports } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (exports || !esEntry) return undefined;
      return { path: path.join(path.dirname(manifest), esEntry) };
    });
  },
};

module.exports = [iconvLiteUtf8, mariadbUtf8Collations, registryOverride, smithyEsm];
