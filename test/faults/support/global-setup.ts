/**
 * Jest global set-up of the fault suite: `suite-cli.ts up` (jest's global hooks cannot load the
 * project's TypeScript modules themselves). Run asynchronously, so this process keeps reaping the
 * children it started meanwhile.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

function suiteCli(command: 'up' | 'down'): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..', '..', '..');
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['test/faults/support/suite-cli.ts', command],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, NODE_OPTIONS: undefined },
      },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`The fault stack's ${command} failed (status ${code}).`)),
    );
  });
}

export default function globalSetup(): Promise<void> {
  return suiteCli('up');
}
