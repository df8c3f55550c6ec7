import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type AppendOutcome,
  type AppendRequest,
  type EventStore,
  type IdempotencyRecord,
  type IdempotencyScope,
  type StoredEvent,
} from './types.js';

const scopeKey = (scope: IdempotencyScope) => JSON.stringify([scope.caller, scope.key]);

/** The in-memory twin of the event store, for fast unit tests. Same contract, same outcomes. */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly idempotency = new Map<string, { record: IdempotencyRecord; at: number }>();
  private position = 0;

  constructor(private readonly options = { idempotencyTtlMs: DEFAULT_IDEMPOTENCY_TTL_MS }) {}

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return structuredClone(this.streams.get(streamId) ?? []);
  }

  async append(request: AppendRequest): Promise<AppendOutcome> {
    const refused = this.refusal(request);
    if (refused) return refused;
    if (request.alsoInTransaction) {
      await request.alsoInTransaction();
      // Others may have appended meanwhile; checked again with nothing in between.
      const late = this.refusal(request);
      if (late) return late;
    }
    const { streamId, streamType, expectedVersion, events, idempotency } = request;
    const stream = this.streams.get(streamId) ?? [];
    const stored = events.map((event, i) => ({
      ...structuredClone(event),
      streamId,
      streamType,
      version: expectedVersion + i + 1,
      position: ++this.position,
    }));
    this.streams.set(streamId, [...stream, ...stored]);
    if (idempotency) {
      this.idempotency.set(scopeKey(idempotency), { record: structuredClone(idempotency), at: Date.now() });
    }
    return { outcome: 'appended', events: structuredClone(stored) };
  }

  /** Why the append is refused, if it is; synchronous, so nothing runs between it and the write. */
  private refusal(request: AppendRequest): AppendOutcome | undefined {
    const { streamId, expectedVersion, events, idempotency } = request;
    if (idempotency) {
      const existing = this.recordOf(idempotency);
      if (existing) return { outcome: 'idempotency-key-taken', existing };
    }
    const stream = this.streams.get(streamId) ?? [];
    if (events.length > 0 && stream.length !== expectedVersion) {
      return { outcome: 'version-conflict', expectedVersion };
    }
    return undefined;
  }

  async findIdempotencyRecord(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    return this.recordOf(scope);
  }

  private recordOf(scope: IdempotencyScope): IdempotencyRecord | undefined {
    const entry = this.idempotency.get(scopeKey(scope));
    if (!entry || Date.now() - entry.at > this.options.idempotencyTtlMs) return undefined;
    return structuredClone(entry.record);
  }
}
