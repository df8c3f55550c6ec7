/**
 * Seals the personal fields of events stored before they were encrypted, in place: the one
 * sanctioned rewrite of the append-only store (docs/personal-data.md). Only `events.data` changes,
 * only from a plain personal field to its sealed form, with the stream's own key (made now if
 * the stream has none). A stream already erased gets its plain fields sealed under a key nobody
 * keeps, so they read as erased. Each chunk selects only events that still hold a plain personal
 * field, so an interrupted run resumes where it stopped, and a run over a store with nothing
 * left to do changes nothing.
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import type { Registry } from '../aggregate/registry.js';
import type { Pool } from '../db/pool.js';
import { jsonColumn } from '../eventstore/rows.js';
import { sealData } from './fields.js';
import type { Keyring } from './keyring.js';

export interface EncryptHistoryProgress {
  done: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | undefined;
}

export interface EncryptHistoryOptions {
  chunkSize?: number;
  onProgress?: (progress: EncryptHistoryProgress) => void;
  /** Stops between chunks (a next run resumes). */
  signal?: AbortSignal;
}

export type EncryptHistoryOutcome =
  { outcome: 'done'; sealed: number; streams: number } | { outcome: 'interrupted'; sealed: number };

/** Each event type with personal fields, and the SQL test that one of its fields is still plain. */
function plainFieldFilters(registry: Registry): { sql: string; values: string[] } {
  const clauses: string[] = [];
  const values: string[] = [];
  for (const aggregate of registry.aggregates) {
    for (const [type, spec] of Object.entries(aggregate.events)) {
      const fields = Object.keys(spec.personal ?? {});
      if (!fields.length) continue;
      // A plain field is any JSON value but an object (a sealed one is {"$pd": …}).
      const plain = fields.map(() => "JSON_TYPE(JSON_EXTRACT(data, ?)) NOT IN ('OBJECT')").join(' OR ');
      clauses.push(`(type = ? AND (${plain}))`);
      values.push(type, ...fields.map((f) => `$."${f}"`));
    }
  }
  return { sql: clauses.length ? clauses.join(' OR ') : 'FALSE', values };
}

/**
 * `db` is the operator role's connection to the commands database: it may read events and
 * update their `data` column, nothing else of them (infra/mariadb/users.ts).
 */
export async function encryptHistory(
  db: Pool,
  registry: Registry,
  keyring: Keyring,
  options: EncryptHistoryOptions = {},
): Promise<EncryptHistoryOutcome> {
  const chunkSize = options.chunkSize ?? 500;
  const filter = plainFieldFilters(registry);
  const byType = new Map(
    registry.aggregates.flatMap((a) => Object.keys(a.events).map((type) => [type, a] as const)),
  );
  const [{ total }] = (await db.query(
    `SELECT COUNT(*) AS total FROM events WHERE ${filter.sql}`,
    filter.values,
  )) as [{ total: number }];
  const started = Date.now();
  const streams = new Set<string>();
  let done = 0;
  let after = 0;
  for (;;) {
    if (options.signal?.aborted) return { outcome: 'interrupted', sealed: done };
    const rows = (await db.query(
      `SELECT position, stream_id, type, data FROM events WHERE position > ? AND (${filter.sql}) ORDER BY position LIMIT ?`,
      [after, ...filter.values, chunkSize],
    )) as Array<{ position: number; stream_id: string; type: string; data: unknown }>;
    if (!rows.length) break;
    const keys = await Promise.all(
      [...new Set(rows.map((r) => r.stream_id))].map(
        async (id) => [id, await keyring.keyForWriting(id)] as const,
      ),
    );
    const keyOf = new Map(keys);
    for (const row of rows) {
      const aggregate = byType.get(row.type)!;
      const key = keyOf.get(row.stream_id)!;
      // An erased stream: seal under a key that is thrown away at once.
      const sealingKey = key === 'erased' ? createSecretKey(randomBytes(32)) : key;
      const sealed = sealData(aggregate.events, row.type, row.stream_id, jsonColumn(row.data), sealingKey);
      await db.query('UPDATE events SET data = ? WHERE position = ?', [JSON.stringify(sealed), row.position]);
      streams.add(row.stream_id);
    }
    done += rows.length;
    after = Number(rows[rows.length - 1]!.position);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const all = Math.max(Number(total), done);
    options.onProgress?.({
      done,
      total: all,
      eventsPerSecond: rate,
      etaSeconds: rate > 0 ? (all - done) / rate : undefined,
    });
    if (rows.length < chunkSize) break;
  }
  return { outcome: 'done', sealed: done, streams: streams.size };
}
