/**
 * `tsx test/faults/support/db-up.ts`: a database server alone (no broker), for the fault suite's
 * read side: starts the private MariaDB of CQRS_STATE_DIR on MARIADB_PORT if it is down, then
 * applies migrations and users, exactly as `infra:up` does.
 */
import { readDbConfig } from '../../../lib/config.js';
import { ensureMariaDb } from '../../../infra/mariadb/server.js';
import { setUpDatabases } from '../../../infra/stack.js';

await ensureMariaDb(readDbConfig(process.env, 'admin'));
await setUpDatabases(process.env);
