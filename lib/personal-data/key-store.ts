/**
 * Where each stream's wrapped data key lives: a table of its own in the write database
 * (personal_data_keys). Erasing a stream deletes its key and leaves a tombstone, so no key can be
 * made for it again and nothing sealed for it can ever be opened.
 */
import type { Queryable } from '../aggregate/definition.js';
import { duplicateKeyName } from '../db/errors.js';

export type StoredKey = { state: 'present'; wrapped: Buffer } | { state: 'erased' };

export interface DataKeyStore {
  /** What these streams hold; a stream that never had a key is absent from the map. */
  find(streamIds: string[]): Promise<Map<string, StoredKey>>;
  /** Stores the stream's first key; a stream that already has one (or was erased) keeps it. Answers what it holds now. */
  create(streamId: string, wrapped: Buffer, wrappedBy: string): Promise<StoredKey>;
  /** Stores a new stream's first key, inside the caller's transaction when `within` is given; fails when the stream has a key or a tombstone. */
  insert(streamId: string, wrapped: Buffer, wrappedBy: string, within?: Queryable): Promise<void>;
  /** Deletes the stream's key, leaving the tombstone; inside the caller's transaction when `within` is given. */
  erase(streamId: string, within?: Queryable): Promise<void>;
}

/** The in-memory twin, for unit tests: same contract, same answers. */
export class InMemoryDataKeyStore implements DataKeyStore {
  private readonly keys = new Map<string, StoredKey>();

  async find(streamIds: string[]): Promise<Map<string, StoredKey>> {
    const out = new Map<string, StoredKey>();
    for (const id of streamIds) {
      const key = this.keys.get(id);
      if (key) out.set(id, copy(key));
    }
    return out;
  }

  async create(streamId: string, wrapped: Buffer): Promise<StoredKey> {
    if (!this.keys.has(streamId))
      this.keys.set(streamId, { state: 'present', wrapped: Buffer.from(wrapped) });
    return copy(this.keys.get(streamId)!);
  }

  async insert(streamId: string, wrapped: Buffer): Promise<void> {
    if (this.keys.has(streamId)) throw new Error(`Stream ${streamId} has a key already.`);
    this.keys.set(streamId, { state: 'present', wrapped: Buffer.from(wrapped) });
  }

  async erase(streamId: string): Promise<void> {
    this.keys.set(streamId, { state: 'erased' });
  }
}

const copy = (key: StoredKey): StoredKey =>
  key.state === 'present' ? { state: 'present', wrapped: Buffer.from(key.wrapped) } : key;

interface Row {
  stream_id: string;
  wrapped_key: Buffer | null;
}

/** The key table in the write database, through a pool of a role granted it (infra/mariadb/users.ts). */
export class MariaDbDataKeyStore implements DataKeyStore {
  constructor(private readonly db: Queryable) {}

  async find(streamIds: string[]): Promise<Map<string, StoredKey>> {
    const out = new Map<string, StoredKey>();
    if (!streamIds.length) return out;
    const rows = (await this.db.query(
      'SELECT stream_id, wrapped_key FROM personal_data_keys WHERE stream_id IN (?)',
      [streamIds],
    )) as Row[];
    for (const row of rows) out.set(row.stream_id, toStoredKey(row));
    return out;
  }

  async insert(streamId: string, wrapped: Buffer, wrappedBy: string, within?: Queryable): Promise<void> {
    await (within ?? this.db).query(
      'INSERT INTO personal_data_keys (stream_id, wrapped_key, wrapped_by, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))',
      [streamId, wrapped, wrappedBy],
    );
  }

  async create(streamId: string, wrapped: Buffer, wrappedBy: string): Promise<StoredKey> {
    try {
      await this.insert(streamId, wrapped, wrappedBy);
      return { state: 'present', wrapped: Buffer.from(wrapped) };
    } catch (error) {
      // The stream has a key (or a tombstone) already: that one stays.
      if (duplicateKeyName(error) !== 'PRIMARY') throw error;
    }
    const held = (await this.find([streamId])).get(streamId);
    if (!held) throw new Error(`The key of stream ${streamId} was stored but cannot be read back.`);
    return held;
  }

  async erase(streamId: string, within?: Queryable): Promise<void> {
    await (within ?? this.db).query(
      `INSERT INTO personal_data_keys (stream_id, wrapped_key, wrapped_by, created_at, erased_at)
       VALUES (?, NULL, 'none', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE wrapped_key = NULL, erased_at = COALESCE(erased_at, UTC_TIMESTAMP(3))`,
      [streamId],
    );
  }
}

const toStoredKey = (row: Row): StoredKey =>
  row.wrapped_key === null
    ? { state: 'erased' }
    : { state: 'present', wrapped: Buffer.from(row.wrapped_key) };
