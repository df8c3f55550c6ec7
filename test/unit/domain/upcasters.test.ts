import { userEvents } from '../../../aggregates/users/events.js';
import { parseEvent, schemaVersionOf, upcast as upcastIn } from '../../../lib/aggregate/catalogue.js';

const upcast = (type: string, data: unknown, version: number) => upcastIn(userEvents, type, data, version);
const parseUserEvent = (type: string, data: unknown, version: number) =>
  parseEvent(userEvents, type, data, version);

describe('event upcasting', () => {
  it('a v1 UserRegistered in the original dd/MM/yyyy format becomes ISO-8601 at midnight UTC', () => {
    expect(upcast('UserRegistered', { name: 'usuario1', dateRegister: '27/10/2020' }, 1)).toEqual({
      name: 'usuario1',
      dateRegister: '2020-10-27T00:00:00.000Z',
    });
  });

  it('a v1 UserRegistered already in ISO-8601 is unchanged, and so is a current one', () => {
    const iso = { name: 'a', dateRegister: '2026-01-02T03:04:05.678Z' };
    expect(upcast('UserRegistered', iso, 1)).toEqual(iso);
    expect(upcast('UserRegistered', { name: 'a', dateRegister: '27/10/2020' }, 2)).toEqual({
      name: 'a',
      dateRegister: '27/10/2020',
    });
  });

  it('an impossible legacy date is not invented: the upcast event still fails validation', () => {
    const parsed = parseUserEvent('UserRegistered', { name: 'a', dateRegister: '31/02/2020' }, 1);
    expect(parsed).toMatchObject({ ok: false, code: 'INVALID_EVENT' });
  });

  it('events without a schema version in their metadata are version 1', () => {
    expect(schemaVersionOf({})).toBe(1);
    expect(schemaVersionOf(null)).toBe(1);
    expect(schemaVersionOf({ schemaVersion: 2 })).toBe(2);
    expect(schemaVersionOf({ schemaVersion: 'x' })).toBe(1);
  });
});
