/** The command function as deployed (same deps, same middlewares), publishing to a topic of its own. */
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { commandDeps } from '../../lib/commands/deps.js';
import { config } from '../../lib/config.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { createCommandHandler } from '../../functions/command/handler.js';

export function commandHandlerOn(topic: string) {
  const bus = new KafkaEventBus({ ...config.kafka(), topic });
  const handler = httpFunction(
    createCommandHandler(() => ({ ...commandDeps(), bus })),
    { maxBodyBytes: config.command().maxBodyBytes },
  );
  return { handler, close: () => bus.close() };
}
