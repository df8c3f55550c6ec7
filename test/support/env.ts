/** Settings the tests share with the code under test: the same config module, the same defaults. */
import { readDatabaseNames, readDbConfig, readKafkaConfig, type DbRole } from '../../lib/config.js';
import { createPool, type Pool } from '../../lib/db/pool.js';

export const kafkaConfig = readKafkaConfig(process.env);
export const databases = readDatabaseNames(process.env);

/** A small pool logged in as one database role. */
export function rolePool(role: DbRole): Pool {
  return createPool({ ...readDbConfig(process.env, role), connectionLimit: 4 });
}
