/**
 * `npm run bench:bundles`: packages the deployable stage and reports, per function, the minified
 * bundle size (source map excluded), the zip size, and the module initialisation time: importing
 * the bundle in a fresh Node process, as a cold start does, median of RUNS runs.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { packageAws } from '../test/support/aws-package.js';

const run = promisify(execFile);
const RUNS = Number(process.env.RUNS ?? 9);

const IMPORT_TIME = `
const started = performance.now();
await import(process.argv[1]);
console.log(JSON.stringify({ ms: performance.now() - started }));
process.exit(0);
`;

async function initMs(bundle: string, cwd: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_TIME, bundle], {
      cwd,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'error', NODE_OPTIONS: '--enable-source-maps' },
    });
    times.push((JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number }).ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const pkg = await packageAws();
try {
  const rows = [];
  for (const fn of pkg.functions.sort()) {
    rows.push({
      function: fn,
      'bundle KiB': Math.round((await stat(pkg.bundlePath(fn))).size / 1024),
      'zip KiB': Math.round((await pkg.zipBytes(fn)) / 1024),
      'init ms (median)': Number((await initMs(pkg.bundlePath(fn), pkg.unzipped(fn))).toFixed(1)),
    });
  }
  console.table(rows);
  console.log(`Node ${process.version}, ${RUNS} fresh processes per function.`);
} finally {
  await pkg.remove();
}
