import type { Registry } from '../aggregate/registry.js';
import type { Pool } from '../db/pool.js';
import { inTransaction } from '../db/pool.js';
import type { Keyring } from '../personal-data/keyring.js';
import { MariaDbProjectionStore } from '../projection/mariadb.js';
import type { IncomingRecord, RecordOutcome } from '../projection/records.js';

export interface DeadLetterSummary {
  id: number;
  topic: string;
  partition: number;
  offset: string;
  reasonCode: string;
  reason: string;
  createdAt: string;
  redrivenAt: string | null;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  key: string | null;
  /** The raw value as text (UTF-8, invalid bytes replaced) and as base64. */
  value: string | null;
  valueBase64: string | null;
  headers: Record<string, string>;
}

export type RedriveOutcome =
  | { outcome: 'not-found' }
  | { outcome: 'already-redriven'; redrivenAt: string }
  | { outcome: Exclude<RecordOutcome, 'dead-lettered'> }
  | { outcome: 'still-failing'; reasonCode: string; reason: string };

interface Row {
  id: number;
  topic: string;
  partition_no: number;
  offset_no: number | string;
  record_key: Buffer | null;
  record_value: Buffer | null;
  headers: unknown;
  reason_code: string;
  reason: string;
  created_at: string;
  redriven_at: string | null;
}

const summary = (r: Row): DeadLetterSummary => ({
  id: Number(r.id),
  topic: r.topic,
  partition: Number(r.partition_no),
  offset: String(r.offset_no),
  reasonCode: r.reason_code,
  reason: r.reason,
  createdAt: r.created_at,
  redrivenAt: r.redriven_at,
});

const parseHeaders = (value: unknown): Record<string, string> =>
  (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, string>;

/** The projection's dead letters: list, inspect, redrive after a fix, drop. */
export class DeadLetterStore {
  /**
   * Redriven records are projected for the aggregates of `registry`, their personal fields opened
   * with `keyring` (an erased stream's stay erased: a redrive cannot bring them back).
   */
  constructor(
    private readonly pool: Pool,
    private readonly registry: Registry,
    private readonly keyring: Keyring,
  ) {}

  async list({ limit = 50, includeRedriven = false } = {}): Promise<DeadLetterSummary[]> {
    const rows = (await this.pool.query(
      `SELECT id, topic, partition_no, offset_no, reason_code, reason, created_at, redriven_at FROM dead_letters
        ${includeRedriven ? '' : 'WHERE redriven_at IS NULL'} ORDER BY id LIMIT ?`,
      [limit],
    )) as Row[];
    return rows.map(summary);
  }

  async show(id: number): Promise<DeadLetterDetail | undefined> {
    const [row] = (await this.pool.query('SELECT * FROM dead_letters WHERE id = ?', [id])) as Row[];
    if (!row) return undefined;
    return {
      ...summary(row),
      key: row.record_key === null ? null : Buffer.from(row.record_key).toString('utf8'),
      value: row.record_value === null ? null : Buffer.from(row.record_value).toString('utf8'),
      valueBase64: row.record_value === null ? null : Buffer.from(row.record_value).toString('base64'),
      headers: parseHeaders(row.headers),
    };
  }

  /**
   * Applies the record again through the projection, in one transaction with marking it redriven.
   * Still failing, it stays a dead letter with the new reason.
   */
  async redrive(id: number): Promise<RedriveOutcome> {
    const projection = new MariaDbProjectionStore(this.pool, this.registry, undefined, {
      keyring: this.keyring,
    });
    return inTransaction(this.pool, async (conn) => {
      const [row] = (await conn.query('SELECT * FROM dead_letters WHERE id = ? FOR UPDATE', [id])) as Row[];
      if (!row) return { outcome: 'not-found' };
      if (row.redriven_at) return { outcome: 'already-redriven', redrivenAt: row.redriven_at };
      const record: IncomingRecord = {
        topic: row.topic,
        partition: Number(row.partition_no),
        offset: String(row.offset_no),
        timestamp: Date.now(),
        key: row.record_key === null ? null : Buffer.from(row.record_key),
        value: row.record_value === null ? null : Buffer.from(row.record_value),
        headers: parseHeaders(row.headers),
      };
      const plan = await projection.projectBatchIn(conn, [record]);
      const outcome = plan.outcomes[0]!;
      if (outcome === 'dead-lettered') {
        const letter = plan.deadLetters[0]!;
        await conn.query('UPDATE dead_letters SET reason_code = ?, reason = ? WHERE id = ?', [
          letter.code,
          letter.reason.slice(0, 2000),
          id,
        ]);
        return { outcome: 'still-failing', reasonCode: letter.code, reason: letter.reason };
      }
      await conn.query('UPDATE dead_letters SET redriven_at = UTC_TIMESTAMP(3) WHERE id = ?', [id]);
      return { outcome };
    });
  }

  async drop(id: number): Promise<boolean> {
    const result = (await this.pool.query('DELETE FROM dead_letters WHERE id = ?', [id])) as {
      affectedRows: number;
    };
    return result.affectedRows > 0;
  }
}
