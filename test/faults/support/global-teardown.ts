/**
 * Jest global teardown of the fault suite: `suite-cli.ts down`, asynchronously (see
 * global-setup.ts; jest loads each global hook alone, so they share no module).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export default function globalTeardown(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..', '..', '..');
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['test/faults/support/suite-cli.ts', 'down'],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, NODE_OPTIONS: undefined },
      },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`Stopping the fault stack failed (status ${code}).`)),
    );
  });
}
