/**
 * Builds the console's front end (Vite) into console/dist, unless it is up to date: a digest of
 * every source file of console/ and of the toolchain's versions is kept in the build, and a build
 * whose digest matches is left alone. The build is written beside dist and moved in when complete,
 * so a server reading dist never sees half of one. `npm run console:build`; `npm start` and the
 * browser tests call ensureConsoleBuilt().
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CONSOLE_DIR = import.meta.dirname;
export const DIST_DIR = path.join(CONSOLE_DIR, 'dist');
const DIGEST_FILE = '.inputs-sha256';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name === 'dist' || entry.name.startsWith('.build-')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else files.push(full);
  }
  return files.sort();
}

/** The digest of what the build is made from: the console's sources and the tools' versions. */
export async function inputsDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await sourceFiles(CONSOLE_DIR)) {
    hash
      .update(path.relative(CONSOLE_DIR, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  for (const pkg of ['vite', 'uplot']) {
    const manifest = JSON.parse(
      await readFile(path.join(CONSOLE_DIR, '..', 'node_modules', pkg, 'package.json'), 'utf8'),
    ) as { version: string };
    hash.update(`${pkg}@${manifest.version}\0`);
  }
  return hash.digest('hex');
}

/** Vite's own build, in a process of its own, its progress lines passed to `log`. */
function viteBuild(outDir: string, log: (line: string) => void): Promise<void> {
  const vite = path.join(CONSOLE_DIR, '..', 'node_modules', '.bin', 'vite');
  return new Promise((resolve, reject) => {
    const child = spawn(
      vite,
      ['build', CONSOLE_DIR, '--config', path.join(CONSOLE_DIR, 'vite.config.ts'), '--outDir', outDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const lines = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`  ${line.trimEnd()}`);
    };
    child.stdout.on('data', lines);
    child.stderr.on('data', lines);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}: ${output.slice(-2000)}`)),
    );
  });
}

const builtDigest = () => readFile(path.join(DIST_DIR, DIGEST_FILE), 'utf8').catch(() => undefined);

/** Builds console/dist when it is missing or out of date; says which, and how long the build took. */
export async function ensureConsoleBuilt(
  log: (line: string) => void = console.log,
): Promise<'fresh' | 'built'> {
  const digest = await inputsDigest();
  if ((await builtDigest()) === digest) {
    log('Console up to date (console/dist).');
    return 'fresh';
  }
  log('Building the console (Vite) into console/dist…');
  const started = Date.now();
  const outDir = path.join(CONSOLE_DIR, `.build-${process.pid}`);
  try {
    await viteBuild(outDir, log);
    await writeFile(path.join(outDir, DIGEST_FILE), digest);
    const old = path.join(CONSOLE_DIR, `.build-${process.pid}-old`);
    await rename(DIST_DIR, old).catch(() => undefined);
    await rename(outDir, DIST_DIR);
    await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    // Another process may have moved the same build in first.
    if ((await builtDigest()) !== digest) {
      throw new Error(
        `The console build failed: ${(error as Error).message}. Run npm run console:build to see Vite's output; ` +
          'if node_modules is incomplete, run npm ci.',
        { cause: error },
      );
    }
  }
  log(`Console built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return 'built';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await ensureConsoleBuilt();
  } catch (error) {
    console.error(`✖ ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
