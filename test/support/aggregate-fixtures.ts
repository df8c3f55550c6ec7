/**
 * One fixture per aggregate of the test registry, so the conformance suites run for each: valid
 * streams, new events for the event store, and the row a stream must project to (the decider's
 * fold of the parsed, upcast events, shaped as the read model's row).
 */
import { randomUUID } from 'node:crypto';
import { users } from '../../aggregates/users/index.js';
import { parseEvent, schemaVersionOf } from '../../lib/aggregate/catalogue.js';
import { fold } from '../../lib/aggregate/decider.js';
import type { AggregateDefinition, DomainEvent, ReadView } from '../../lib/aggregate/definition.js';
import type { Envelope } from '../../lib/bus/envelope.js';
import type { NewEvent } from '../../lib/eventstore/types.js';
import { orders } from '../fixtures/aggregates/orders/index.js';
import { envelope, userStream } from './records.js';

export interface AggregateFixture {
  aggregate: AggregateDefinition;
  /** The creating event, then `more` follow-ups, as envelopes at versions 1..more+1. */
  stream(streamId: string, more: number): Envelope[];
  /** The creating event and the i-th follow-up, for the event store. */
  created(): NewEvent;
  changed(i: number): NewEvent;
  /** The row these events must leave in the read model, or undefined for none. */
  expectedView(
    streamId: string,
    events: Array<{ type: string; data: unknown; metadata: unknown }>,
  ): ReadView | undefined;
}

const AT = '2026-01-02T03:04:05.678Z';

export function newEvent(type: string, data: unknown): NewEvent {
  return { eventId: randomUUID(), type, data, metadata: { requestId: 'r-1' }, occurredAt: AT };
}

/** The events as the projection reads them: upcast and validated by the aggregate's catalogue. */
export function parseAll(
  aggregate: AggregateDefinition,
  events: Array<{ type: string; data: unknown; metadata: unknown }>,
) {
  return events.map((e) => {
    const parsed = parseEvent<DomainEvent>(aggregate.events, e.type, e.data, schemaVersionOf(e.metadata));
    if (!parsed.ok) throw new Error(`fixture event does not parse: ${parsed.reason}`);
    return parsed.event;
  });
}

const usersFixture: AggregateFixture = {
  aggregate: users,
  stream: userStream,
  created: () => newEvent('UserRegistered', { name: 'Ana', dateRegister: AT }),
  changed: (i) => newEvent('UserRenamed', { name: `name${i}` }),
  expectedView(streamId, events) {
    const state = fold(users.decider, parseAll(users, events));
    if (state.status === 'none') return undefined;
    return {
      userId: streamId,
      name: state.name,
      dateRegister: state.dateRegister,
      version: events.length,
      status: state.status,
    };
  },
};

const ordersFixture: AggregateFixture = {
  aggregate: orders,
  stream(streamId, more) {
    const events = [
      {
        ...envelope(streamId, 1, 'OrderPlaced', { item: 'tea', quantity: 1, placedAt: AT }),
        streamType: 'order',
      },
    ];
    for (let v = 2; v <= more + 1; v++) {
      events.push({ ...envelope(streamId, v, 'OrderQuantityChanged', { quantity: v }), streamType: 'order' });
    }
    return events;
  },
  created: () => newEvent('OrderPlaced', { item: 'tea', quantity: 1, placedAt: AT }),
  changed: (i) => newEvent('OrderQuantityChanged', { quantity: i + 1 }),
  expectedView(streamId, events) {
    const state = fold(orders.decider, parseAll(orders, events));
    if (state.status === 'none') return undefined;
    return {
      orderId: streamId,
      item: state.item,
      quantity: state.quantity,
      placedAt: state.placedAt,
      version: events.length,
    };
  },
};

export const FIXTURES: readonly AggregateFixture[] = [usersFixture, ordersFixture];
