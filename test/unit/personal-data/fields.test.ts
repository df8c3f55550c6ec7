import { createSecretKey, randomBytes } from 'node:crypto';
import { userEvents } from '../../../aggregates/users/events.js';
import { isSealed } from '../../../lib/personal-data/cipher.js';
import { openData, sealData } from '../../../lib/personal-data/fields.js';

const key = createSecretKey(randomBytes(32));
const stream = '0eae5110-01c5-4f6c-a18a-5ba31847b279';
const data = { name: 'Grace Hopper', dateRegister: '2026-01-02T03:04:05.678Z' };

describe('personal fields', () => {
  it('a declared personal field is sealed; the other fields stay readable', () => {
    const sealed = sealData(userEvents, 'UserRegistered', stream, data, key) as Record<string, unknown>;
    expect(isSealed(sealed.name)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain('Grace');
    expect(sealed.dateRegister).toBe(data.dateRegister);
  });

  it('a sealed field opens with its stream key to the same value', () => {
    const sealed = sealData(userEvents, 'UserRegistered', stream, data, key);
    expect(openData(userEvents, 'UserRegistered', stream, sealed, key)).toEqual({ ok: true, data });
  });

  it('sealing twice gives two ciphertexts (a fresh IV each time)', () => {
    const a = sealData(userEvents, 'UserRenamed', stream, { name: 'Ada' }, key);
    const b = sealData(userEvents, 'UserRenamed', stream, { name: 'Ada' }, key);
    expect(a).not.toEqual(b);
  });

  it('with the key erased a sealed field reads as its declared erased value', () => {
    const sealed = sealData(userEvents, 'UserRegistered', stream, data, key);
    expect(openData(userEvents, 'UserRegistered', stream, sealed, 'erased')).toEqual({
      ok: true,
      data: { name: '(erased)', dateRegister: data.dateRegister },
    });
    expect(openData(userEvents, 'UserRegistered', stream, sealed, undefined)).toMatchObject({
      ok: true,
      data: { name: '(erased)' },
    });
  });

  it('another key, or the sealed value moved to another stream, does not open it, and the error names only the field', () => {
    const sealed = sealData(userEvents, 'UserRenamed', stream, { name: 'Ada' }, key);
    const wrongKey = openData(userEvents, 'UserRenamed', stream, sealed, createSecretKey(randomBytes(32)));
    const otherStream = openData(userEvents, 'UserRenamed', 'another-stream', sealed, key);
    for (const result of [wrongKey, otherStream]) {
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).toContain('name');
      expect(JSON.stringify(result)).not.toContain('Ada');
    }
  });

  it('plain data (events stored before encryption) passes through unchanged', () => {
    expect(openData(userEvents, 'UserRegistered', stream, data, undefined)).toEqual({ ok: true, data });
  });

  it('events without personal fields are not changed by sealing', () => {
    expect(sealData(userEvents, 'UserDeregistered', stream, {}, key)).toEqual({});
  });
});
