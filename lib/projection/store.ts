import type { BatchPlan } from './plan.js';
import type { IncomingRecord } from './records.js';

/** Applies a batch of records to the read model atomically and says what happened to each. */
export interface ProjectionStore {
  projectBatch(records: IncomingRecord[]): Promise<BatchPlan>;
}
