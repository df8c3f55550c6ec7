import type { Registry } from '../aggregate/registry.js';
import type { InlineProjection } from './mariadb.js';
import type { UnpositionedEvent } from './types.js';

/** The aggregates' write models as one inline projection: each appended event goes to its aggregate's. */
export function writeModelsOf(registry: Registry): InlineProjection | undefined {
  const byStreamType = new Map(
    registry.aggregates.flatMap((a) => (a.writeModel ? [[a.streamType, a.writeModel] as const] : [])),
  );
  if (byStreamType.size === 0) return undefined;
  // An append holds the events of one stream, so of one aggregate.
  return async (transaction, events: UnpositionedEvent[]) => {
    const streamType = events[0]?.streamType;
    const model = streamType === undefined ? undefined : byStreamType.get(streamType);
    if (model) await model.write(transaction, events);
  };
}
