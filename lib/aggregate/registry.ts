/**
 * The registry: the one list of aggregates the machinery serves, checked once when it is built.
 * An event type belongs to exactly one aggregate, and names, stream types, error codes, routes
 * and tables are each claimed once, so the projection can dispatch every event unambiguously.
 */
import { CORE_STATUS } from '../http/status.js';
import type { AggregateDefinition, CommandRoute, QueryRoute } from './definition.js';

export interface Registry {
  readonly aggregates: readonly AggregateDefinition[];
  /** Every error code (the core's and the aggregates') with its HTTP status. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly commandRoutes: ReadonlyArray<{ aggregate: AggregateDefinition; route: CommandRoute }>;
  readonly queryRoutes: ReadonlyArray<{ aggregate: AggregateDefinition; route: QueryRoute }>;
  byName(name: string): AggregateDefinition | undefined;
  /**
   * The aggregate an event belongs to: by its stream type when it carries one, else by its event
   * type (events stored before stream types were recorded); a reason when there is none.
   */
  resolve(event: {
    type: string;
    streamType?: string;
  }): { aggregate: AggregateDefinition } | { reason: string };
}

function claim(owners: Map<string, string>, what: string, key: string, owner: string): void {
  const earlier = owners.get(key);
  if (earlier !== undefined) {
    throw new Error(
      `The registry is inconsistent: ${what} "${key}" is claimed by both ${earlier} and ${owner}.`,
    );
  }
  owners.set(key, owner);
}

export function buildRegistry(aggregates: readonly AggregateDefinition[]): Registry {
  const names = new Map<string, string>();
  const streamTypes = new Map<string, AggregateDefinition>();
  const eventTypes = new Map<string, AggregateDefinition>();
  const owners = {
    streamType: new Map<string, string>(),
    eventType: new Map<string, string>(),
    code: new Map<string, string>(Object.keys(CORE_STATUS).map((code) => [code, 'the core'])),
    route: new Map<string, string>(),
    readTable: new Map<string, string>(),
    writeTable: new Map<string, string>(),
  };
  const statuses: Record<string, number> = { ...CORE_STATUS };
  for (const aggregate of aggregates) {
    const name = `aggregate "${aggregate.name}"`;
    claim(names, 'the name', aggregate.name, name);
    claim(owners.streamType, 'the stream type', aggregate.streamType, name);
    streamTypes.set(aggregate.streamType, aggregate);
    for (const type of Object.keys(aggregate.events)) {
      claim(owners.eventType, 'the event type', type, name);
      eventTypes.set(type, aggregate);
    }
    for (const [code, status] of Object.entries(aggregate.errors)) {
      claim(owners.code, 'the error code', code, name);
      statuses[code] = status;
    }
    for (const route of [...aggregate.commands, ...aggregate.queries]) {
      claim(owners.route, 'the route', `${route.method} ${route.path}`, name);
    }
    claim(owners.readTable, 'the read-model table', aggregate.readModel.table, name);
    if (aggregate.writeModel)
      claim(owners.writeTable, 'the write-model table', aggregate.writeModel.table, name);
  }
  const byName = new Map(aggregates.map((a) => [a.name, a]));
  return {
    aggregates,
    statuses,
    commandRoutes: aggregates.flatMap((aggregate) =>
      aggregate.commands.map((route) => ({ aggregate, route })),
    ),
    queryRoutes: aggregates.flatMap((aggregate) => aggregate.queries.map((route) => ({ aggregate, route }))),
    byName: (name) => byName.get(name),
    resolve({ type, streamType }) {
      if (streamType !== undefined) {
        const aggregate = streamTypes.get(streamType);
        if (!aggregate) return { reason: `unknown stream type "${streamType}"` };
        if (!Object.hasOwn(aggregate.events, type)) {
          return { reason: `unknown event type "${type}" for stream type "${streamType}"` };
        }
        return { aggregate };
      }
      const aggregate = eventTypes.get(type);
      return aggregate ? { aggregate } : { reason: `unknown event type "${type}"` };
    },
  };
}
