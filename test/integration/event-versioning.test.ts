/**
 * Old events already in the store (schema v1: dd/MM/yyyy dates, no schema version in their
 * metadata, no stream type) still fold on the write side, project, and rebuild.
 */
import { randomUUID } from 'node:crypto';
import { createCommandHandler } from '../../functions/command/handler.js';
import { InMemoryEventBus } from '../../lib/bus/memory.js';
import { readDatabaseNames } from '../../lib/config.js';
import { commandEventStore } from '../../lib/commands/deps.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../../lib/eventstore/rows.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { MariaDbOutbox } from '../../lib/outbox/mariadb.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { recordFromStoredEvent } from '../../lib/rebuild/event-records.js';
import { rebuildReadModel } from '../../lib/rebuild/rebuild.js';
import { registry } from '../fixtures/registry.js';
import { invoke } from '../support/apigw.js';
import { keyringOn } from '../support/keyring.js';
import { isolatedDatabases, type IsolatedDatabases } from '../support/isolated-databases.js';

let dbs: IsolatedDatabases;
const id = randomUUID();

beforeAll(async () => {
  dbs = await isolatedDatabases('ev');
  // A user stored before schema versions and stream types: v1 event, dd/MM/yyyy date.
  await dbs
    .pool('command')
    .query(
      "INSERT INTO events (event_id, stream_id, version, type, data, metadata, occurred_at) VALUES (?, ?, 1, 'UserRegistered', ?, '{}', '2020-10-27 09:00:00.000')",
      [randomUUID(), id, JSON.stringify({ name: 'usuario1', dateRegister: '27/10/2020' })],
    );
});

afterAll(async () => {
  await dbs.drop();
});

async function storedEvents() {
  const rows = (await dbs
    .pool('command')
    .query(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? ORDER BY version`, [id])) as EventRow[];
  return rows.map(rowToEvent);
}

async function readModelRow() {
  const [row] = (await dbs
    .pool('operator')
    .query('SELECT NAME, DATE_REGISTER, VERSION FROM USER_DATA WHERE USER_ID = ?', [id])) as Array<
    Record<string, unknown>
  >;
  return row;
}

describe('event versioning', () => {
  it('a command on a stream that starts with a v1 event decides on the upcast state; new events carry their schema version', async () => {
    const pool = dbs.pool('command');
    const handler = httpFunction(
      createCommandHandler(registry, () => ({
        store: commandEventStore(pool, registry, keyringOn(pool)),
        keyring: keyringOn(pool),
        bus: new InMemoryEventBus(),
        outbox: new MariaDbOutbox(pool),
        maxConflictRetries: 3,
        maxBodyBytes: 16384,
        publishTimeoutMs: 1000,
        now: () => new Date(),
      })),
      { maxBodyBytes: 16384, statuses: registry.statuses },
    );
    const res = await invoke(handler, {
      method: 'PUT',
      path: `/users/${id}/name`,
      pathParameters: { id },
      body: { name: 'Usuario Uno' },
    });
    expect(res).toMatchObject({ statusCode: 200, body: { id, version: 2 } });
    const events = await storedEvents();
    expect(events.map((e) => e.metadata.schemaVersion)).toEqual([undefined, 1]);
  });

  it('the projection applies the v1 event in the current schema', async () => {
    const plan = await new MariaDbProjectionStore(dbs.pool('projection'), registry, undefined, {
      keyring: keyringOn(dbs.pool('command')),
    }).projectBatch((await storedEvents()).map(recordFromStoredEvent));
    expect(plan.outcomes).toEqual(['applied', 'applied']);
    expect(await readModelRow()).toEqual({
      NAME: 'Usuario Uno',
      DATE_REGISTER: '2020-10-27T00:00:00.000Z',
      VERSION: 2,
    });
  });

  it('a rebuild from the store applies the v1 event to the same row', async () => {
    const result = await rebuildReadModel(dbs.pool('operator'), registry, readDatabaseNames(dbs.env), {
      keyring: keyringOn(dbs.pool('command')),
      chunkSize: 1,
    });
    expect(result.outcome).toBe('swapped');
    expect(await readModelRow()).toEqual({
      NAME: 'Usuario Uno',
      DATE_REGISTER: '2020-10-27T00:00:00.000Z',
      VERSION: 2,
    });
  });
});
