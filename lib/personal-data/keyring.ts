/**
 * The data keys of streams, unwrapped, with a brief per-container cache: a batch of a hundred
 * events of one user unwraps its key once, and a key stays in memory at most `ttlMs`. Erased keys
 * are remembered as erased (erasure is final).
 */
import type { KeyObject } from 'node:crypto';
import type { Queryable } from '../aggregate/definition.js';
import { ExpiringCache } from './key-cache.js';
import type { DataKeyStore, StoredKey } from './key-store.js';
import { keyObjectOf, type KeyWrapper } from './key-wrapping.js';

/** A stream's key as the sealing and opening of its events need it. */
export type StreamKey = KeyObject | 'erased';

/**
 * A key made for a stream that has no events yet. It seals them at once and is stored by the
 * transaction that appends them (`storeNewKey`), so no stream ever has sealed events without its
 * key, and a registration pays no commit of its own for the key.
 */
export interface NewStreamKey {
  streamId: string;
  key: KeyObject;
  wrapped: Buffer;
}

export interface KeyringOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class Keyring {
  private readonly cache: ExpiringCache<StreamKey>;
  private readonly ttlMs: number;

  constructor(
    private readonly store: DataKeyStore,
    private readonly wrapper: KeyWrapper,
    options: KeyringOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.cache = new ExpiringCache(options.maxEntries ?? 10_000, options.now ?? Date.now);
  }

  /** The keys of these streams; a stream that never had a key is absent. */
  async keysFor(streamIds: string[]): Promise<Map<string, StreamKey>> {
    const out = new Map<string, StreamKey>();
    const missing: string[] = [];
    for (const id of new Set(streamIds)) {
      const hit = this.cache.get(id, isErased);
      if (hit) out.set(id, hit);
      else missing.push(id);
    }
    if (!missing.length) return out;
    const stored = await this.store.find(missing);
    await Promise.all(
      [...stored].map(async ([id, key]) => {
        const unwrapped = await this.unwrap(id, key);
        this.remember(id, unwrapped);
        out.set(id, unwrapped);
      }),
    );
    return out;
  }

  /**
   * A key for a stream with no events yet, stored only by `storeNewKey`. This container knows it
   * at once (the write models of the same transaction open the events with it); should the
   * append fail, it names a stream that has no events, so nothing sealed with it exists.
   */
  async newKey(streamId: string): Promise<NewStreamKey> {
    const fresh = await this.wrapper.generate(streamId);
    const key = keyObjectOf(fresh.plaintext);
    this.remember(streamId, key);
    return { streamId, key, wrapped: fresh.wrapped };
  }

  /** Stores a new stream's key in the caller's transaction (the in-memory twin's store has none); a stream that has a key already fails it. */
  async storeNewKey(fresh: NewStreamKey, within?: Queryable): Promise<void> {
    await this.store.insert(fresh.streamId, fresh.wrapped, this.wrapper.kind, within);
  }

  /**
   * The key to seal an existing stream's new events with, made and stored at once when it has
   * none (events written before sealing); 'erased' once erased.
   */
  async keyForWriting(streamId: string): Promise<StreamKey> {
    const known = (await this.keysFor([streamId])).get(streamId);
    if (known) return known;
    const fresh = await this.wrapper.generate(streamId);
    const held = await this.store.create(streamId, fresh.wrapped, this.wrapper.kind);
    // A concurrent writer may have stored its key first: the stored one is the stream's key.
    const ours = held.state === 'present' && held.wrapped.equals(fresh.wrapped);
    if (!ours) fresh.plaintext.fill(0);
    const key = ours ? keyObjectOf(fresh.plaintext) : await this.unwrap(streamId, held);
    this.remember(streamId, key);
    return key;
  }

  /**
   * Deletes the stream's key (inside the caller's transaction when given) and drops it from the
   * cache; the next lookup reads the store, so a transaction rolled back leaves the key usable.
   */
  async erase(streamId: string, within?: Queryable): Promise<void> {
    this.cache.delete(streamId);
    await this.store.erase(streamId, within);
  }

  private async unwrap(streamId: string, key: StoredKey): Promise<StreamKey> {
    return key.state === 'erased' ? 'erased' : keyObjectOf(await this.wrapper.unwrap(key.wrapped, streamId));
  }

  private remember(streamId: string, key: StreamKey): void {
    this.cache.set(streamId, key, this.ttlMs);
  }
}

const isErased = (key: StreamKey): boolean => key === 'erased';
