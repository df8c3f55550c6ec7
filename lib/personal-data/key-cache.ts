/**
 * A container's memory of unwrapped keys (the keyring's data keys, the KMS keeper's branch keys):
 * at most `maxEntries`, each until its time is up.
 * When full it forgets the oldest quarter in one pass. Forgetting one entry per insert would be
 * the obvious way, but V8 leaves a deleted Map entry as a hole that `keys().next()` walks past,
 * so with the oldest deleted on every insert each insert cost several microseconds once the cache
 * was full (as a projection that meets thousands of new users fills it).
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** The value while it is fresh; `keepsForever` values never expire (an erased key stays erased). */
  get(key: string, keepsForever: (value: V) => boolean = () => false): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    return keepsForever(hit.value) || hit.until > this.now() ? hit.value : undefined;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.forgetOldest();
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.now() + ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private forgetOldest(): void {
    let left = Math.max(1, Math.ceil(this.maxEntries / 4));
    for (const key of this.entries.keys()) {
      if (left-- <= 0) break;
      this.entries.delete(key);
    }
  }
}
