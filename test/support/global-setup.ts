/** Jest global set-up of the tests that use the stack: see stack-hooks.ts. */
import { tsImport } from 'tsx/esm/api';
import type * as StackHooks from './stack-hooks.js';

export default async function globalSetup(): Promise<void> {
  const hooks = (await tsImport('./stack-hooks.ts', import.meta.url)) as typeof StackHooks;
  await hooks.beforeTests();
}
