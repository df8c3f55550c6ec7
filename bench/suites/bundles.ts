/**
 * Issue item 8: each function's deploy bundle (`sls package --stage prod`, the per-function
 * esbuild bundles of serverless.yml: ESM, minified, node24, @aws-sdk/* external) with its size
 * and module initialisation time, measured by importing it in a fresh node process from its
 * unzipped task root. An esbuild build of the same entry with a metafile says where the bytes go.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { build, type Metafile, type Plugin } from 'esbuild';
import { ROOT } from '../../infra/paths.js';
import { packageAws } from '../../test/support/aws-package.js';
import { median, round } from '../support/stats.js';

const run = promisify(execFile);
/** The esbuild plugins serverless.yml bundles with (iconv-lite and collations trimmed). */
const plugins = createRequire(import.meta.url)(
  path.join(ROOT, 'infra', 'aws', 'bundle', 'plugins.cjs'),
) as Plugin[];

export interface BundleFigure {
  kib: number;
  initMs: number;
  zipKib: number;
  /** The largest inputs of the bundle, in KiB of output. */
  largest: Array<{ input: string; kib: number }>;
}

function largestInputs(meta: Metafile, top = 5): Array<{ input: string; kib: number }> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(project code)';
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([input, bytes]) => ({ input, kib: round(bytes / 1024, 1) }));
}

/** Milliseconds to import `file` in a new node process (median of `times`). */
async function initMs(file: string, cwd: string, times: number): Promise<number> {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t);process.exit(0)`;
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', NODE_OPTIONS: '--enable-source-maps' },
      timeout: 30000,
    });
    samples.push(Number(stdout.trim().split('\n').pop()));
  }
  return round(median(samples), 1);
}

/** Where the bytes of a function's bundle come from, by package. */
async function largest(name: string, outdir: string): Promise<Array<{ input: string; kib: number }>> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'functions', name, 'handler.ts')],
    outfile: path.join(outdir, `${name}.mjs`),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    external: ['@aws-sdk/*'],
    plugins,
    metafile: true,
    logLevel: 'silent',
  });
  return largestInputs(result.metafile);
}

export async function bundles(times: number): Promise<Record<string, BundleFigure>> {
  const pkg = await packageAws();
  mkdirSync(path.join(ROOT, '.local'), { recursive: true });
  const outdir = mkdtempSync(path.join(ROOT, '.local', 'bench-bundles-'));
  try {
    const figures: Record<string, BundleFigure> = {};
    for (const name of pkg.functions.sort()) {
      figures[name] = {
        kib: round(statSync(pkg.bundlePath(name)).size / 1024, 1),
        zipKib: round((await pkg.zipBytes(name)) / 1024, 1),
        initMs: await initMs(pkg.bundlePath(name), pkg.unzipped(name), times),
        largest: await largest(name, outdir),
      };
    }
    return figures;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    await pkg.remove();
  }
}
