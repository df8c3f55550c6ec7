/**
 * Before and after the tests that use the stack (the jest global set-up and teardown load this
 * through tsx): the broker and database server are started unless they run, under a lease of
 * `npm test` (infra/leases.ts), so they are stopped afterwards only if nothing else uses them;
 * and the developer's own data must be exactly as it was.
 */
import { acquireStack, type StackLease } from '../../infra/stack.js';
import { changes, sharedData, type SharedData } from './shared-data.js';

interface HookState {
  lease: StackLease;
  before: SharedData;
}

const state = globalThis as typeof globalThis & { __stackHooks?: HookState };

export async function beforeTests(): Promise<void> {
  const lease = await acquireStack('npm test');
  state.__stackHooks = { lease, before: await sharedData() };
}

export async function afterTests(): Promise<void> {
  const hooks = state.__stackHooks;
  if (!hooks) return;
  try {
    const changed = changes(hooks.before, await sharedData());
    if (changed.length) {
      throw new Error(
        `The tests changed the developer's own databases or topic (they must use throwaway ones):\n  ${changed.join('\n  ')}\n` +
          '(If you used npm start while the tests ran, that explains it; run them again.)',
      );
    }
  } finally {
    await hooks.lease.release();
  }
}
