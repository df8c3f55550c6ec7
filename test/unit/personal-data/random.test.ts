import { freshRandomBytes } from '../../../lib/personal-data/random.js';

describe('fresh random bytes', () => {
  it('are never handed out twice, and a refill of the pool leaves earlier ones unchanged', () => {
    const handed = Array.from({ length: 2000 }, (_, i) => freshRandomBytes(i % 2 ? 12 : 32));
    const copies = handed.map((b) => Buffer.from(b));
    freshRandomBytes(4096);
    expect(handed.every((b, i) => b.equals(copies[i]!))).toBe(true);
    expect(new Set(copies.map((b) => b.toString('hex'))).size).toBe(handed.length);
  });

  it('wiping one slice wipes no other', () => {
    const [a, b] = [freshRandomBytes(32), freshRandomBytes(32)];
    const before = Buffer.from(b);
    a.fill(0);
    expect(b.equals(before)).toBe(true);
  });

  it('refuses more than its pool holds', () => {
    expect(() => freshRandomBytes(4097)).toThrow(RangeError);
  });
});
