/**
 * `npm run encrypt-history` on a store written before personal fields were encrypted: it seals
 * every plain name in place with the operator role, resumably and with progress, leaves no
 * plain name in commands.events, and every older schema still upcasts and folds.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { users } from '../../aggregates/users/index.js';
import { fold } from '../../lib/aggregate/decider.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../../lib/eventstore/rows.js';
import { isSealed } from '../../lib/personal-data/cipher.js';
import { openEvents } from '../../lib/personal-data/events.js';
import { ROOT } from '../../infra/paths.js';
import { parseAll } from '../support/aggregate-fixtures.js';
import { isolatedDatabases, type IsolatedDatabases } from '../support/isolated-databases.js';
import { keyringOn } from '../support/keyring.js';

const run = promisify(execFile);
let dbs: IsolatedDatabases;
const legacy = randomUUID();
const erasedLegacy = randomUUID();

async function insert(streamId: string, version: number, type: string, data: unknown, metadata = {}) {
  await dbs
    .pool('command')
    .query(
      'INSERT INTO events (event_id, stream_id, version, type, data, metadata, occurred_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
      [randomUUID(), streamId, version, type, JSON.stringify(data), JSON.stringify(metadata)],
    );
}

beforeAll(async () => {
  dbs = await isolatedDatabases('eh');
  // Stored before encryption: a v1 registration (dd/MM/yyyy, no schema version), a rename.
  await insert(legacy, 1, 'UserRegistered', { name: 'usuario1', dateRegister: '27/10/2020' });
  await insert(legacy, 2, 'UserRenamed', { name: 'usuario1 renombrado' }, { schemaVersion: 1 });
  // A user erased before its history was sealed: its key is a tombstone already.
  await insert(erasedLegacy, 1, 'UserRegistered', {
    name: 'olvidado',
    dateRegister: '2020-10-27T00:00:00.000Z',
  });
  await insert(erasedLegacy, 2, 'UserErased', {}, { schemaVersion: 1 });
  await keyringOn(dbs.pool('command')).erase(erasedLegacy);
});

afterAll(async () => {
  await dbs.drop();
});

const encryptHistory = (args: string[] = []) =>
  run('npm', ['run', '--silent', 'encrypt-history', '--', ...args], { cwd: ROOT, env: dbs.env });

async function streamOf(id: string) {
  const rows = (await dbs
    .pool('command')
    .query(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? ORDER BY version`, [id])) as EventRow[];
  return rows.map(rowToEvent);
}

async function plainHits(text: string): Promise<number> {
  const [{ n }] = (await dbs
    .pool('command')
    .query('SELECT COUNT(*) AS n FROM events WHERE data LIKE ?', [`%${text}%`])) as [{ n: number }];
  return Number(n);
}

describe('npm run encrypt-history', () => {
  it('seals every plain personal field in place, with progress, leaving no plain name in events', async () => {
    expect(await plainHits('usuario1')).toBe(2);
    const { stdout, stderr } = await encryptHistory(['--chunk', '1']);
    expect(stderr).toMatch(/encrypt-history .*100%/);
    expect(stdout).toContain('Sealed the personal fields of 3 events in 2 streams');
    expect(await plainHits('usuario1')).toBe(0);
    expect(await plainHits('olvidado')).toBe(0);
    const events = await streamOf(legacy);
    expect(events.map((e) => isSealed((e.data as { name: unknown }).name))).toEqual([true, true]);
    // Non-personal fields stay as they were, in their old schema.
    expect((events[0]!.data as { dateRegister: string }).dateRegister).toBe('27/10/2020');
  });

  it('the older schema still upcasts and folds, with the names opened by the stream key', async () => {
    const keyring = keyringOn(dbs.pool('command'));
    const state = fold(
      users.decider,
      parseAll(users, await openEvents(users, await streamOf(legacy), keyring)),
    );
    expect(state).toEqual({
      status: 'active',
      name: 'usuario1 renombrado',
      dateRegister: '2020-10-27T00:00:00.000Z',
    });
    const erased = fold(
      users.decider,
      parseAll(users, await openEvents(users, await streamOf(erasedLegacy), keyring)),
    );
    expect(erased).toEqual({ status: 'erased', name: '', dateRegister: '2020-10-27T00:00:00.000Z' });
  });

  it('a second run finds nothing left to seal and changes nothing', async () => {
    const before = await streamOf(legacy);
    const { stdout } = await encryptHistory();
    expect(stdout).toContain('Sealed the personal fields of 0 events in 0 streams');
    expect(await streamOf(legacy)).toEqual(before);
  });

  it('the command role still cannot change a stored event; only the operator may, and only its data', async () => {
    await expect(
      dbs.pool('command').query("UPDATE events SET data = '{}' WHERE stream_id = ?", [legacy]),
    ).rejects.toThrow(/denied/i);
    await expect(
      dbs
        .pool('operator')
        .query(`UPDATE \`${dbs.env.COMMANDS_DB}\`.events SET type = 'X' WHERE stream_id = ?`, [legacy]),
    ).rejects.toThrow(/denied/i);
  });
});
