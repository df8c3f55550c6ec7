/** Jest global teardown of the tests that use the stack: see stack-hooks.ts. */
import { tsImport } from 'tsx/esm/api';
import type * as StackHooks from './stack-hooks.js';

export default async function globalTeardown(): Promise<void> {
  const hooks = (await tsImport('./stack-hooks.ts', import.meta.url)) as typeof StackHooks;
  await hooks.afterTests();
}
