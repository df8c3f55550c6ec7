import type { PoolConnection } from '../db/pool.js';
import type { InlineProjection } from '../eventstore/mariadb.js';
import type { StoredEvent } from '../eventstore/types.js';
import type { UserEvent } from '../domain/user/events.js';

/** Keeps the write side's USER_DATA (each user's current state) in step with the events, in their transaction. */
export const writeUserData: InlineProjection = async (conn: PoolConnection, events: StoredEvent[]) => {
  for (const stored of events) {
    const event = { type: stored.type, data: stored.data } as UserEvent;
    switch (event.type) {
      case 'UserRegistered':
        await conn.query(
          'INSERT INTO USER_DATA (NAME, DATE_REGISTER, USER_ID, VERSION, STATUS) VALUES (?, ?, ?, ?, ?)',
          [event.data.name, event.data.dateRegister, stored.streamId, stored.version, 'active'],
        );
        break;
      case 'UserRenamed':
        await conn.query('UPDATE USER_DATA SET NAME = ?, VERSION = ? WHERE USER_ID = ?', [
          event.data.name,
          stored.version,
          stored.streamId,
        ]);
        break;
      case 'UserDeregistered':
        await conn.query('UPDATE USER_DATA SET STATUS = ?, VERSION = ? WHERE USER_ID = ?', [
          'deregistered',
          stored.version,
          stored.streamId,
        ]);
        break;
    }
  }
};
