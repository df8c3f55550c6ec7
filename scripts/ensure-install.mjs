#!/usr/bin/env node
/**
 * First step of `npm start`, `npm test` and `npm run bench`: installs the dependencies when
 * node_modules is missing or out of date against package-lock.json, so a fresh clone needs no
 * `npm ci` of its own. Plain JavaScript with no dependencies: on a fresh clone it runs on the
 * machine's Node (>= 20.19); everything after it runs on the Node 24 that the install puts in
 * node_modules/.bin (the `node` package), the runtime the functions deploy on.
 *
 * "Out of date" compares package-lock.json with npm's record of what it installed
 * (node_modules/.package-lock.json): a package missing, extra or at another version.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockFile = path.join(root, 'package-lock.json');
const installedFile = path.join(root, 'node_modules', '.package-lock.json');
const bundledNode = path.join(root, 'node_modules', '.bin', 'node');

/** Why node_modules needs an install, or undefined when it matches the lock file. */
function staleReason() {
  if (!existsSync(installedFile)) return 'node_modules is missing';
  const wanted = JSON.parse(readFileSync(lockFile, 'utf8')).packages ?? {};
  const installed = JSON.parse(readFileSync(installedFile, 'utf8')).packages ?? {};
  for (const [name, entry] of Object.entries(wanted)) {
    if (name === '' || entry.link) continue;
    const have = installed[name];
    // Optional packages for other platforms (esbuild's, for instance) are never installed.
    if (!have && entry.optional) continue;
    if (!have) return `${name.replace(/^node_modules\//, '')} is not installed`;
    if (have.version !== entry.version) {
      return `${name.replace(/^node_modules\//, '')} is ${have.version}, package-lock.json wants ${entry.version}`;
    }
  }
  for (const name of Object.keys(installed)) {
    if (!wanted[name])
      return `${name.replace(/^node_modules\//, '')} is installed but not in package-lock.json`;
  }
  if (!existsSync(bundledNode)) return 'the project Node (node_modules/.bin/node) is missing';
  return undefined;
}

function main() {
  const reason = staleReason();
  if (reason === undefined) return 0;
  const started = Date.now();
  console.log(`… Installing dependencies (${reason}): npm ci, about a minute…`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `✖ npm ci failed (exit ${result.status ?? result.signal}).\n` +
        '  → Check the npm error above (network to the package registry, disk space), then run the command again.',
    );
    return result.status || 1;
  }
  const left = staleReason();
  if (left !== undefined) {
    console.error(`✖ After npm ci, ${left}.\n  → Delete node_modules and run the command again.`);
    return 1;
  }
  console.log(`✔ Dependencies installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(main());
}
