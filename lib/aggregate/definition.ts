/**
 * What an aggregate gives the machinery. One folder under aggregates/ exports one of these; the
 * registry (aggregates/index.ts) lists them, and the command executor, routing, projection,
 * rebuild, dead-letter redrive, query function, OpenAPI document and database grants take the
 * registry as input. docs/adding-an-aggregate.md walks through writing one.
 */
import type * as z from 'zod';
import type { PoolConnection } from '../db/pool.js';
import type { StatementSink } from '../db/transaction-statements.js';
import type { UnpositionedEvent } from '../eventstore/types.js';
import type { HttpResponse } from '../http/response.js';
import type { EventCatalogue } from './catalogue.js';
import type { Decider } from './decider.js';

/** An event as a decider sees it. */
export interface DomainEvent {
  type: string;
  data: unknown;
}

/** A read-model row as the projection sees it: whatever the aggregate keeps, plus the stream version applied. */
export interface ReadView {
  version: number;
}

export type Applied<View> = { ok: true; view: View } | { ok: false; reason: string };

/** Anything that runs a parameterized statement: a pool or a connection. */
export interface Queryable {
  query(sql: string, values?: unknown): Promise<unknown>;
}

/**
 * The aggregate's table in the read database. `table` is a trusted identifier (a constant of the
 * aggregate, never input); the projection passes it, or the rebuild's fresh copy of it, to `load`
 * and `upsert`.
 */
export interface ReadModel<View extends ReadView, Event extends DomainEvent> {
  table: string;
  /** The columns holding the stream id and the version applied (the rebuild compares tables by them). */
  idColumn: string;
  versionColumn: string;
  /** The rows of these streams, locked for the batch's transaction (SELECT … FOR UPDATE). */
  load(conn: PoolConnection, table: string, streamIds: string[]): Promise<Map<string, View>>;
  /** Writes the final rows of the streams a batch changed. */
  upsert(conn: PoolConnection, table: string, views: View[]): Promise<unknown>;
  /** Pure: the row after `event` at `version`, or why the event cannot follow the row. */
  apply(streamId: string, current: View | undefined, event: Event, version: number): Applied<View>;
}

/** A current-state table on the write side, kept in the same transaction as the events. */
export interface WriteModel {
  table: string;
  /** Its stream id and version columns, when they differ from the read model's (the console reads a stream's row by them). */
  idColumn?: string;
  versionColumn?: string;
  /**
   * Adds its statements to the append's transaction, which sends them in one packet with the
   * event inserts (so without positions, and without answers: lib/db/transaction-statements.ts).
   */
  write(transaction: StatementSink, events: UnpositionedEvent[]): Promise<void>;
}

/** What a command route makes of a request. */
export interface RoutedCommand<Command> {
  streamId: string;
  command: Command;
  /** A stream this command creates: no history to read, and a new id answers 201 with Location. */
  newStream?: boolean;
}

export interface CommandRouteInput {
  /** Path parameters; `id` is already checked to be a UUID and lower-cased. */
  params: Record<string, string>;
  /** The body, validated with `body` when the route has one. */
  body: unknown;
  now: Date;
  /** A fresh stream id (a UUID). */
  newId: () => string;
}

export interface CommandRoute<Command = unknown> {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An OpenAPI path template, e.g. '/users/{id}/name'. */
  path: string;
  operationId: string;
  /** The success answer's description in the OpenAPI document. */
  description: string;
  /** The request body's validator (and its OpenAPI schema); routes without one take no body. */
  body?: z.ZodType;
  route(input: CommandRouteInput): RoutedCommand<Command>;
}

export interface QueryRouteInput {
  params: Record<string, string>;
  /** The query string, validated with `query`. */
  query: unknown;
  /** Lower-cased request headers. */
  headers: Record<string, string>;
  /** The read database, with the query role's SELECT-only user. */
  db: Queryable;
  /** How long a read-your-writes request may wait for the read model (config.query()). */
  consistency: { waitMs: number; firstPollMs: number; maxPollMs: number };
}

export interface OpenApiResponse {
  description: string;
  schema?: z.ZodType;
}

export interface QueryRoute {
  method: 'GET';
  path: string;
  operationId: string;
  /** The query string's validator (and its OpenAPI parameters). */
  query: z.ZodType;
  /** The documented answers by status; errors use the shared error body. */
  responses: Record<string, OpenApiResponse>;
  handle(input: QueryRouteInput): Promise<HttpResponse>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the registry holds aggregates of any command, state and event */
export interface AggregateDefinition<
  Command = any,
  State = any,
  Event extends DomainEvent = any,
  View extends ReadView = any,
> {
  /* eslint-enable @typescript-eslint/no-explicit-any */
  /** The aggregate's name: its folder, its route prefix's noun in plural ('users'). */
  name: string;
  /** Recorded with every event (events.stream_type, the Kafka envelope's streamType): 'user'. */
  streamType: string;
  /** The singular noun error messages use ('user'). */
  noun: string;
  decider: Decider<Command, State, Event>;
  events: EventCatalogue;
  /** The aggregate's own error codes and the HTTP status each maps to. */
  errors: Record<string, number>;
  writeModel?: WriteModel;
  readModel: ReadModel<View, Event>;
  /**
   * The event type that erases a stream's personal data (the catalogue's `personal` fields): its
   * append deletes the stream's data key in the same transaction, so every sealed field of the
   * stream, wherever a copy of it lies, can no longer be read.
   */
  erasure?: string;
  commands: CommandRoute<Command>[];
  queries: QueryRoute[];
  /**
   * The folder, relative to the project root, with `commands/` and `queries/` migration files
   * (`NNN_name.sql`). Their numbers share one sequence per database with every other source's.
   */
  migrations?: string;
}
