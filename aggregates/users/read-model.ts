/**
 * The read model of users: USER_DATA in the queries database, one row per user with the stream
 * version last applied (the projection's per-stream checkpoint). A deregistered user keeps its
 * row with STATUS 'deregistered', an erased one with STATUS 'erased' and no name; the query
 * routes answer 410 for both and leave them out of lists.
 */
import type { Queryable, ReadModel } from '../../lib/aggregate/definition.js';
import type { UserEvent } from './events.js';

/** A user as the read side shows it: the USER_DATA columns plus the id and applied version. */
export interface UserView {
  userId: string;
  name: string;
  dateRegister: string;
  version: number;
  status: 'active' | 'deregistered' | 'erased';
}

interface Row {
  USER_ID: string;
  NAME: string;
  DATE_REGISTER: string;
  VERSION: number;
  STATUS: 'active' | 'deregistered' | 'erased';
}

const COLUMNS = 'USER_ID, NAME, DATE_REGISTER, VERSION, STATUS';

const toView = (r: Row): UserView => ({
  userId: r.USER_ID,
  name: r.NAME,
  dateRegister: r.DATE_REGISTER,
  version: Number(r.VERSION),
  status: r.STATUS,
});

export const userReadModel: ReadModel<UserView, UserEvent> = {
  table: 'USER_DATA',
  idColumn: 'USER_ID',
  versionColumn: 'VERSION',

  async load(conn, table, ids) {
    const rows = (await conn.query(`SELECT ${COLUMNS} FROM ${table} WHERE USER_ID IN (?) FOR UPDATE`, [
      ids,
    ])) as Row[];
    return new Map(rows.map((r) => [r.USER_ID, toView(r)]));
  },

  upsert(conn, table, views) {
    return conn.batch(
      `INSERT INTO ${table} (USER_ID, NAME, DATE_REGISTER, VERSION, STATUS, UPDATED_AT)
       VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE NAME = VALUES(NAME), VERSION = VALUES(VERSION), STATUS = VALUES(STATUS), UPDATED_AT = VALUES(UPDATED_AT)`,
      views.map((v) => [v.userId, v.name, v.dateRegister, v.version, v.status]),
    );
  },

  /** An event that cannot follow the row (a rename before registration, a second registration) is refused. */
  apply(streamId, current, event, version) {
    if (event.type === 'UserRegistered') {
      if (current || version !== 1)
        return { ok: false, reason: `UserRegistered at version ${version} of an existing stream` };
      return {
        ok: true,
        view: {
          userId: streamId,
          name: event.data.name,
          dateRegister: event.data.dateRegister,
          version,
          status: 'active',
        },
      };
    }
    if (!current) return { ok: false, reason: `${event.type} at version ${version} before UserRegistered` };
    // An erased row keeps no name, whatever follows (as the decider's fold).
    if (event.type === 'UserErased')
      return { ok: true, view: { ...current, name: '', status: 'erased', version } };
    if (current.status === 'erased') return { ok: true, view: { ...current, version } };
    if (event.type === 'UserRenamed')
      return { ok: true, view: { ...current, name: event.data.name, version } };
    return { ok: true, view: { ...current, status: 'deregistered', version } };
  },
};

export interface ListQuery {
  limit: number;
  /** Keyset position: the (name, id) of the last item of the previous page. */
  after?: { name: string; id: string };
  namePrefix?: string;
}

/** LIKE wildcards in user input are matched literally. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads of the read model, with the query role's SELECT-only user. */
export class UserQueries {
  constructor(private readonly db: Queryable) {}

  async getUser(id: string): Promise<UserView | undefined> {
    const rows = (await this.db.query(`SELECT ${COLUMNS} FROM USER_DATA WHERE USER_ID = ?`, [id])) as Row[];
    return rows[0] && toView(rows[0]);
  }

  /** Active users ordered by name then id; returns up to `limit + 1` rows so the caller knows if more exist. */
  async listUsers(query: ListQuery): Promise<UserView[]> {
    const where = ["STATUS = 'active'"];
    const params: unknown[] = [];
    if (query.namePrefix !== undefined) {
      where.push("NAME LIKE CONCAT(?, '%')");
      params.push(escapeLike(query.namePrefix));
    }
    if (query.after) {
      where.push('(NAME > ? OR (NAME = ? AND USER_ID > ?))');
      params.push(query.after.name, query.after.name, query.after.id);
    }
    params.push(query.limit + 1);
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM USER_DATA WHERE ${where.join(' AND ')} ORDER BY NAME, USER_ID LIMIT ?`,
      params,
    )) as Row[];
    return rows.map(toView);
  }
}
