import { ExpiringCache } from '../../../lib/personal-data/key-cache.js';

describe('the keyring cache', () => {
  it('never holds more than its limit and forgets the oldest entries first', () => {
    const cache = new ExpiringCache<number>(8, () => 0);
    for (let i = 0; i < 100; i++) {
      cache.set(`k${i}`, i, 1000);
      expect(cache.size).toBeLessThanOrEqual(8);
    }
    expect(cache.get('k99')).toBe(99);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k91')).toBeUndefined();
  });

  it('setting a key it holds again refreshes it rather than forgetting another', () => {
    const cache = new ExpiringCache<number>(2, () => 0);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    cache.set('a', 3, 1000);
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([3, 2, 2]);
  });

  it('an entry is gone once its time is up, unless its value keeps forever', () => {
    let now = 0;
    const cache = new ExpiringCache<string>(10, () => now);
    cache.set('live', 'key', 100);
    cache.set('gone', 'erased', 100);
    now = 101;
    const keepsForever = (v: string) => v === 'erased';
    expect(cache.get('live', keepsForever)).toBeUndefined();
    expect(cache.get('gone', keepsForever)).toBe('erased');
  });
});
