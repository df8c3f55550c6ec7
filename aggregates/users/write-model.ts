/** The write side's USER_DATA (each user's current state), kept in step with the events, in their transaction. */
import type { WriteModel } from '../../lib/aggregate/definition.js';
import type { UserEvent } from './events.js';

export const userData: WriteModel = {
  table: 'USER_DATA',
  idColumn: 'USER_ID',
  versionColumn: 'VERSION',
  async write(transaction, events) {
    for (const stored of events) {
      // Events the decider has just made, in the current schema: no parsing needed.
      const event = { type: stored.type, data: stored.data } as UserEvent;
      switch (event.type) {
        case 'UserRegistered':
          await transaction.query(
            'INSERT INTO USER_DATA (NAME, DATE_REGISTER, USER_ID, VERSION, STATUS) VALUES (?, ?, ?, ?, ?)',
            [event.data.name, event.data.dateRegister, stored.streamId, stored.version, 'active'],
          );
          break;
        case 'UserRenamed':
          await transaction.query('UPDATE USER_DATA SET NAME = ?, VERSION = ? WHERE USER_ID = ?', [
            event.data.name,
            stored.version,
            stored.streamId,
          ]);
          break;
        case 'UserErased':
          // The current state keeps no personal data of an erased user.
          await transaction.query(
            'UPDATE USER_DATA SET NAME = ?, STATUS = ?, VERSION = ? WHERE USER_ID = ?',
            ['', 'erased', stored.version, stored.streamId],
          );
          break;
        case 'UserDeregistered':
          await transaction.query('UPDATE USER_DATA SET STATUS = ?, VERSION = ? WHERE USER_ID = ?', [
            'deregistered',
            stored.version,
            stored.streamId,
          ]);
          break;
      }
    }
  },
};
