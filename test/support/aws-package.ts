/**
 * Packages the deployable stage (`sls package --stage prod`, as `npm run package:aws` does) into a
 * folder of its own, with no AWS credentials in the environment, and unzips each function.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../infra/paths.js';

const run = promisify(execFile);

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  [key: string]: unknown;
}

export interface AwsPackage {
  dir: string;
  templatePath: string;
  resources: Record<string, CfnResource>;
  /** Function names (the keys of `functions` in serverless.yml). */
  functions: string[];
  /** Where a function's zip was unzipped (the Lambda task root). */
  unzipped(fn: string): string;
  /** The function's bundle inside its unzipped folder. */
  bundlePath(fn: string): string;
  zipBytes(fn: string): Promise<number>;
  remove(): Promise<void>;
}

/** The environment without anything that could reach AWS. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  return { ...env, AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_CONFIG_FILE: '/dev/null' };
}

export async function packageAws(args: string[] = []): Promise<AwsPackage> {
  const id = randomBytes(4).toString('hex');
  const dir = path.join(os.tmpdir(), `cqrs-aws-package-${id}`);
  const out = path.join(dir, 'out');
  const workFolder = path.join('.local', `esbuild-${id}`);
  await run(
    path.join(ROOT, 'node_modules', '.bin', 'sls'),
    ['package', '--stage', 'prod', '--package', out, ...args],
    {
      cwd: ROOT,
      env: { ...offlineEnv(), ESBUILD_WORK_FOLDER: workFolder },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  await rm(path.join(ROOT, workFolder), { recursive: true, force: true });
  const templatePath = path.join(out, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as {
    Resources: Record<string, CfnResource>;
  };
  const functions = (await readdir(out)).filter((f) => f.endsWith('.zip')).map((f) => f.slice(0, -4));
  for (const fn of functions) {
    await mkdir(path.join(dir, 'fn', fn), { recursive: true });
    await run('unzip', ['-q', path.join(out, `${fn}.zip`), '-d', path.join(dir, 'fn', fn)]);
  }
  return {
    dir,
    templatePath,
    resources: template.Resources,
    functions,
    unzipped: (fn) => path.join(dir, 'fn', fn),
    bundlePath: (fn) => path.join(dir, 'fn', fn, 'functions', fn, 'handler.mjs'),
    zipBytes: async (fn) => (await stat(path.join(out, `${fn}.zip`))).size,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
