/** The event store's contract, met by the MariaDB adapter and by the in-memory twin. */
import type { StatementSink } from '../db/transaction-statements.js';

export interface EventMetadata {
  requestId?: string;
  correlationId?: string;
  idempotencyKey?: string;
  /** W3C trace context of the command that decided the event; the Kafka message carries it too. */
  traceparent?: string;
  /** The schema version of the event's data (the aggregate's event catalogue); absent means 1. */
  schemaVersion?: number;
}

/** An event decided but not yet stored. */
export interface NewEvent {
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  /** ISO-8601 UTC, millisecond precision. */
  occurredAt: string;
}

export interface StoredEvent extends NewEvent {
  streamId: string;
  /** The aggregate the stream belongs to (its definition's streamType); absent on events stored before it was recorded. */
  streamType?: string;
  version: number;
  /** Global order of insertion into the store. */
  position: number;
}

/** An event as written in its append, before the store has given it its global position. */
export type UnpositionedEvent = Omit<StoredEvent, 'position'>;

/** A stored answer to a command, replayed for a retry with the same Idempotency-Key. */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** How long an idempotency record answers retries by default: 24 hours, as payment APIs keep theirs. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/** Whose key: the same key sent by two callers is two keys. */
export interface IdempotencyScope {
  /** The authenticated caller ('' when commands need no authentication). */
  caller: string;
  key: string;
}

export interface IdempotencyRecord extends IdempotencyScope {
  requestHash: string;
  response: StoredResponse;
}

export interface AppendRequest {
  streamId: string;
  streamType: string;
  /** The stream's version the events were decided on (0 for a new stream). */
  expectedVersion: number;
  events: NewEvent[];
  /** Recorded in the same transaction; a key already taken (and not expired) aborts the append. */
  idempotency?: IdempotencyRecord;
  /**
   * More of the caller's writes for the same transaction (a new stream's data key), added to its
   * statements; a failure aborts the append. The in-memory twin passes none.
   */
  alsoInTransaction?: (transaction?: StatementSink) => Promise<unknown>;
}

export type AppendOutcome =
  | { outcome: 'appended'; events: StoredEvent[] }
  | { outcome: 'version-conflict'; expectedVersion: number }
  | { outcome: 'idempotency-key-taken'; existing: IdempotencyRecord };

export interface EventStore {
  /** Every event of a stream, in version order (empty for an unknown stream). */
  readStream(streamId: string): Promise<StoredEvent[]>;
  /**
   * Appends events at expectedVersion+1… atomically, together with their outbox entries and the
   * idempotency record. Nothing is written unless all of it is.
   */
  append(request: AppendRequest): Promise<AppendOutcome>;
  /** The caller's record of this key, unless it has expired (older than the store's time to live). */
  findIdempotencyRecord(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined>;
}
