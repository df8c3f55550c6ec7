/**
 * The projection function, triggered by the Kafka event source (MSK in AWS, the offline
 * plugin locally). The batch is applied in one read-database transaction; poison records are
 * dead-lettered inside it. Any other failure throws, so the event source retries the batch.
 */
import { registry } from '../../aggregates/index.js';
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { log } from '../../lib/log.js';
import { recordsFromKafkaEvent, type KafkaLambdaEvent } from '../../lib/projection/kafka-event.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { publishBatchMetrics } from '../../lib/projection/metrics.js';
import type { RecordOutcome } from '../../lib/projection/records.js';
import type { ProjectionStore } from '../../lib/projection/store.js';

export type BatchSummary = Record<RecordOutcome, number> & { records: number };

export function createProjectionHandler(getStore: () => ProjectionStore) {
  return async (event: KafkaLambdaEvent): Promise<BatchSummary> => {
    const records = recordsFromKafkaEvent(event);
    const started = performance.now();
    const plan = await getStore().projectBatch(records);
    const summary: BatchSummary = {
      records: records.length,
      applied: 0,
      'skipped-duplicate': 0,
      parked: 0,
      'dead-lettered': 0,
    };
    for (const outcome of plan.outcomes) summary[outcome]++;
    for (const letter of plan.deadLetters) {
      const { topic, partition, offset } = letter.record;
      log.warn('dead-lettered', { topic, partition, offset, code: letter.code, reason: letter.reason });
    }
    log.info('projection-batch', { ...summary, ms: Math.round(performance.now() - started) });
    if (config.projection().emitMetrics)
      publishBatchMetrics(records, summary.applied, summary['dead-lettered']);
    return summary;
  };
}

let store: ProjectionStore | undefined;

export const handler = createProjectionHandler(
  () =>
    (store ??= new MariaDbProjectionStore(pool('projection'), registry, undefined, {
      auditApplied: config.projection().auditApplied,
    })),
);
