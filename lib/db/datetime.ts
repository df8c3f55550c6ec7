/** DATETIME(3) columns (UTC, read with dateStrings) and ISO-8601 strings. */

/** 'YYYY-MM-DD HH:MM:SS.mmm' (UTC) for a DATETIME(3) column, from ISO-8601. */
export const toSqlDateTime = (iso: string): string => iso.replace('T', ' ').replace('Z', '').slice(0, 23);

/** ISO-8601 (UTC) from a DATETIME(3) string read with dateStrings. */
export const fromSqlDateTime = (sql: string): string => `${sql.replace(' ', 'T').padEnd(23, '.000')}Z`;
