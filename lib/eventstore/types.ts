/** The event store's contract, met by the MariaDB adapter and by the in-memory twin. */

export interface EventMetadata {
  requestId?: string;
  correlationId?: string;
  idempotencyKey?: string;
  /** The schema version of the event's data (lib/domain/user/upcasters.ts); absent means 1. */
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
  version: number;
  /** Global order of insertion into the store. */
  position: number;
}

/** A stored answer to a command, replayed for a retry with the same Idempotency-Key. */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  response: StoredResponse;
}

export interface AppendRequest {
  streamId: string;
  /** The stream's version the events were decided on (0 for a new stream). */
  expectedVersion: number;
  events: NewEvent[];
  /** Recorded in the same transaction; a key already taken aborts the append. */
  idempotency?: IdempotencyRecord;
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
  findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
}
