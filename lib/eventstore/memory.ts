import type { AppendOutcome, AppendRequest, EventStore, IdempotencyRecord, StoredEvent } from './types.js';

/** The in-memory twin of the event store, for fast unit tests. Same contract, same outcomes. */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private position = 0;
  /** Events appended and not yet marked published (the outbox). */
  readonly outbox: StoredEvent[] = [];

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return structuredClone(this.streams.get(streamId) ?? []);
  }

  async append(request: AppendRequest): Promise<AppendOutcome> {
    const { streamId, expectedVersion, events, idempotency } = request;
    if (idempotency) {
      const existing = this.idempotency.get(idempotency.key);
      if (existing) return { outcome: 'idempotency-key-taken', existing: structuredClone(existing) };
    }
    const stream = this.streams.get(streamId) ?? [];
    if (events.length > 0 && stream.length !== expectedVersion) {
      return { outcome: 'version-conflict', expectedVersion };
    }
    const stored = events.map((event, i) => ({
      ...structuredClone(event),
      streamId,
      version: expectedVersion + i + 1,
      position: ++this.position,
    }));
    this.streams.set(streamId, [...stream, ...stored]);
    this.outbox.push(...stored);
    if (idempotency) this.idempotency.set(idempotency.key, structuredClone(idempotency));
    return { outcome: 'appended', events: structuredClone(stored) };
  }

  async findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.idempotency.get(key);
    return record && structuredClone(record);
  }

  /** Every event in global order (for folds in tests). */
  allEvents(): StoredEvent[] {
    return [...this.streams.values()].flat().sort((a, b) => a.position - b.position);
  }
}
