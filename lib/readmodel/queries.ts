import type { Pool } from '../db/pool.js';
import type { UserView } from './types.js';

export interface ListQuery {
  limit: number;
  /** Keyset position: the (name, id) of the last item of the previous page. */
  after?: { name: string; id: string };
  namePrefix?: string;
}

export interface UserQueries {
  getUser(id: string): Promise<UserView | undefined>;
  /** Active users ordered by name then id; returns up to `limit + 1` rows so the caller knows if more exist. */
  listUsers(query: ListQuery): Promise<UserView[]>;
}

interface Row {
  USER_ID: string;
  NAME: string;
  DATE_REGISTER: string;
  VERSION: number;
  STATUS: 'active' | 'deregistered';
}

const toView = (r: Row): UserView => ({
  userId: r.USER_ID,
  name: r.NAME,
  dateRegister: r.DATE_REGISTER,
  version: Number(r.VERSION),
  status: r.STATUS,
});

/** LIKE wildcards in user input are matched literally. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads of the read model, with the query role's SELECT-only user. */
export class MariaDbUserQueries implements UserQueries {
  constructor(private readonly pool: Pool) {}

  async getUser(id: string): Promise<UserView | undefined> {
    const rows = (await this.pool.query(
      'SELECT USER_ID, NAME, DATE_REGISTER, VERSION, STATUS FROM USER_DATA WHERE USER_ID = ?',
      [id],
    )) as Row[];
    return rows[0] && toView(rows[0]);
  }

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
    const rows = (await this.pool.query(
      `SELECT USER_ID, NAME, DATE_REGISTER, VERSION, STATUS FROM USER_DATA
        WHERE ${where.join(' AND ')} ORDER BY NAME, USER_ID LIMIT ?`,
      params,
    )) as Row[];
    return rows.map(toView);
  }
}
