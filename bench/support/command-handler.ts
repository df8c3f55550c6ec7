/** The command function as deployed (same deps, same middlewares), publishing to a topic of its own. */
import type * as z from 'zod';
import { registry } from '../../aggregates/index.js';
import type { Registry } from '../../lib/aggregate/registry.js';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { commandDeps } from '../../lib/commands/deps.js';
import { config } from '../../lib/config.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { createCommandHandler } from '../../functions/command/handler.js';

/** POST /users's body validator (the users aggregate's), for the benchmark's request bodies. */
export const registerUserBody = registry
  .byName('users')!
  .commands.find((r) => r.operationId === 'registerUser')!.body! as z.ZodType<{ name: string }>;

/** The command function on its own topic; `routes` may be a registry whose catalogues differ (the same tables). */
export function commandHandlerOn(topic: string, routes: Registry = registry) {
  const bus = new KafkaEventBus({ ...config.kafka(), topic });
  const handler = httpFunction(
    createCommandHandler(routes, () => ({ ...commandDeps(registry), bus })),
    { maxBodyBytes: config.command().maxBodyBytes, statuses: registry.statuses },
  );
  return { handler, close: () => bus.close() };
}
