/** The query function: every aggregate's read routes (GET /users/{id}, GET /users, …), from the read database only. */
import { registry } from '../../aggregates/index.js';
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { createQueryHandler } from '../../lib/readmodel/query-handler.js';
import { startTracing } from '../../lib/telemetry/tracing.js';

startTracing('query');

export const handler = httpFunction(
  createQueryHandler(
    registry,
    () => pool('query'),
    () => {
      const { consistencyWaitMs, consistencyPollMs, consistencyMaxPollMs } = config.query();
      return { waitMs: consistencyWaitMs, firstPollMs: consistencyPollMs, maxPollMs: consistencyMaxPollMs };
    },
  ),
  { statuses: registry.statuses },
);
