/**
 * What the developer's own stack holds: every table of the shared databases (row count and
 * checksum), the shared topic's end offsets and the projection group's committed offsets. Taken
 * before and after `npm test`, which must leave them exactly as it found them.
 */
import mariadb from 'mariadb';
import { readDatabaseNames, readDbConfig, readKafkaConfig } from '../../lib/config.js';
import { createAdmin } from '../../lib/kafka/client.js';

export type SharedData = Record<string, string>;

async function tables(env: NodeJS.ProcessEnv, out: SharedData): Promise<void> {
  const admin = readDbConfig(env, 'admin');
  const names = readDatabaseNames(env);
  const conn = await mariadb.createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    bigIntAsNumber: true,
  });
  try {
    const rows = (await conn.query(
      'SELECT table_schema AS db, table_name AS name FROM information_schema.tables WHERE table_schema IN (?, ?) ORDER BY 1, 2',
      [names.commands, names.queries],
    )) as Array<{ db: string; name: string }>;
    for (const { db, name } of rows) {
      const table = `\`${db}\`.\`${name}\``;
      const [{ n }] = (await conn.query(`SELECT COUNT(*) AS n FROM ${table}`)) as [{ n: number }];
      const [{ Checksum }] = (await conn.query(`CHECKSUM TABLE ${table}`)) as [{ Checksum: number }];
      out[`table ${db}.${name}`] = `${n} rows, checksum ${Checksum}`;
    }
  } finally {
    await conn.end();
  }
}

async function topic(env: NodeJS.ProcessEnv, out: SharedData): Promise<void> {
  const kafka = readKafkaConfig(env);
  const admin = await createAdmin(kafka, { quiet: true });
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(kafka.topic)) return;
    for (const p of await admin.fetchTopicOffsets(kafka.topic)) {
      out[`topic ${kafka.topic}[${p.partition}] end`] = p.high;
    }
    for (const p of await admin.fetchCommittedOffsets(kafka.consumerGroup, kafka.topic)) {
      out[`group ${kafka.consumerGroup} ${kafka.topic}[${p.partition}]`] = p.offset;
    }
  } finally {
    await admin.disconnect();
  }
}

export async function sharedData(env: NodeJS.ProcessEnv = process.env): Promise<SharedData> {
  const out: SharedData = {};
  await tables(env, out);
  await topic(env, out);
  return out;
}

/** One line per entry that appeared, disappeared or changed. */
export function changes(before: SharedData, after: SharedData): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((key) => before[key] !== after[key])
    .map((key) => `${key}: ${before[key] ?? '(absent)'} → ${after[key] ?? '(absent)'}`);
}
