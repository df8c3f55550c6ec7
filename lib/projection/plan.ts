import { decodeEnvelope, type DecodedEnvelope, type Envelope } from '../bus/envelope.js';
import { parseUserEvent } from '../domain/user/events.js';
import { schemaVersionOf } from '../domain/user/upcasters.js';
import type { UserView } from '../readmodel/types.js';
import { applyUserEvent } from './apply.js';
import type { DeadLetter, IncomingRecord, RecordOutcome } from './records.js';

/** What the read model holds for the streams of a batch, loaded before planning. */
export interface LoadedState {
  views: Map<string, UserView>;
  /** Parked envelopes by stream, any version. */
  parked: Map<string, Envelope[]>;
}

/** The writes one batch needs, computed without I/O; the adapter runs them in one transaction. */
export interface BatchPlan {
  outcomes: RecordOutcome[];
  /** Final rows of streams that changed. */
  upserts: UserView[];
  park: Envelope[];
  /** Parked (streamId, version) pairs consumed or made obsolete. */
  unpark: Array<{ streamId: string; version: number }>;
  deadLetters: DeadLetter[];
  /** Every event applied, with the record that delivered it (a stand-in for a parked one). */
  applied: Array<{ envelope: Envelope; record: IncomingRecord }>;
}

export interface DecodedRecord {
  record: IncomingRecord;
  decoded: DecodedEnvelope;
}

/** Decodes every record once; the plan and the loader both use the result. */
export function decodeBatch(records: IncomingRecord[]): DecodedRecord[] {
  return records.map((record) => ({ record, decoded: decodeEnvelope(record.value) }));
}

/** The stream ids a batch touches (to load their rows and parked events). */
export function streamIdsOf(batch: DecodedRecord[]): string[] {
  const ids = new Set<string>();
  for (const { decoded } of batch) if (decoded.ok) ids.add(decoded.envelope.streamId);
  return [...ids];
}

/** A stand-in record for a parked event that fails when its turn comes (it has no record of its own here). */
function parkedRecord(envelope: Envelope): IncomingRecord {
  return {
    topic: '(parked)',
    partition: -1,
    offset: String(envelope.position),
    timestamp: Date.parse(envelope.occurredAt),
    key: Buffer.from(envelope.streamId),
    value: Buffer.from(JSON.stringify(envelope)),
    headers: {},
  };
}

/**
 * Decides, per record in delivery order: dead-letter what cannot be read or applied, skip a
 * version already applied, park a version ahead of a gap, apply the next version and then any
 * parked versions it unblocks. At rest the rows equal the fold of each stream's events,
 * whatever duplicates or reorderings the batch held.
 */
export function planBatch(batch: DecodedRecord[], loaded: LoadedState): BatchPlan {
  const views = new Map(loaded.views);
  const parked = new Map<string, Map<number, Envelope>>();
  for (const [streamId, envelopes] of loaded.parked) {
    parked.set(streamId, new Map(envelopes.map((e) => [e.version, e])));
  }
  const changed = new Set<string>();
  const plan: BatchPlan = { outcomes: [], upserts: [], park: [], unpark: [], deadLetters: [], applied: [] };
  const newlyParked = new Set<string>();

  const apply = (envelope: Envelope, record: IncomingRecord): boolean => {
    const parsed = parseUserEvent(envelope.type, envelope.data, schemaVersionOf(envelope.metadata));
    if (!parsed.ok) {
      plan.deadLetters.push({ record, code: parsed.code, reason: parsed.reason });
      return false;
    }
    const result = applyUserEvent(
      envelope.streamId,
      views.get(envelope.streamId),
      parsed.event,
      envelope.version,
    );
    if (!result.ok) {
      plan.deadLetters.push({ record, code: 'INVALID_SEQUENCE', reason: result.reason });
      return false;
    }
    views.set(envelope.streamId, result.view);
    changed.add(envelope.streamId);
    plan.applied.push({ envelope, record });
    return true;
  };

  const drainParked = (streamId: string) => {
    const waiting = parked.get(streamId);
    if (!waiting) return;
    for (;;) {
      const next = (views.get(streamId)?.version ?? 0) + 1;
      const envelope = waiting.get(next);
      if (!envelope) break;
      waiting.delete(next);
      const key = `${streamId}#${next}`;
      if (newlyParked.has(key)) {
        plan.park = plan.park.filter((p) => !(p.streamId === streamId && p.version === next));
        newlyParked.delete(key);
      } else {
        plan.unpark.push({ streamId, version: next });
      }
      if (!apply(envelope, parkedRecord(envelope))) break;
    }
  };

  for (const { record, decoded } of batch) {
    if (!decoded.ok) {
      plan.deadLetters.push({ record, code: decoded.code, reason: decoded.reason });
      plan.outcomes.push('dead-lettered');
      continue;
    }
    const envelope = decoded.envelope;
    const applied = views.get(envelope.streamId)?.version ?? 0;
    const waiting = parked.get(envelope.streamId);
    if (envelope.version <= applied || waiting?.has(envelope.version)) {
      plan.outcomes.push('skipped-duplicate');
      continue;
    }
    if (envelope.version > applied + 1) {
      const typeCheck = parseUserEvent(envelope.type, envelope.data, schemaVersionOf(envelope.metadata));
      if (!typeCheck.ok) {
        plan.deadLetters.push({ record, code: typeCheck.code, reason: typeCheck.reason });
        plan.outcomes.push('dead-lettered');
        continue;
      }
      if (!waiting) parked.set(envelope.streamId, new Map([[envelope.version, envelope]]));
      else waiting.set(envelope.version, envelope);
      plan.park.push(envelope);
      newlyParked.add(`${envelope.streamId}#${envelope.version}`);
      plan.outcomes.push('parked');
      continue;
    }
    if (!apply(envelope, record)) {
      plan.outcomes.push('dead-lettered');
      continue;
    }
    plan.outcomes.push('applied');
    drainParked(envelope.streamId);
  }

  // Parked versions the stream has already passed are obsolete.
  for (const [streamId, waiting] of parked) {
    const applied = views.get(streamId)?.version ?? 0;
    for (const version of waiting.keys()) {
      if (version > applied) continue;
      const key = `${streamId}#${version}`;
      if (newlyParked.has(key))
        plan.park = plan.park.filter((p) => !(p.streamId === streamId && p.version === version));
      else plan.unpark.push({ streamId, version });
    }
  }
  plan.upserts = [...changed].map((id) => views.get(id)!);
  return plan;
}

/** The plan of two batches applied one after the other, as one. */
export function concatPlans(first: BatchPlan, second: BatchPlan): BatchPlan {
  return {
    outcomes: [...first.outcomes, ...second.outcomes],
    upserts: [...first.upserts, ...second.upserts],
    park: [...first.park, ...second.park],
    unpark: [...first.unpark, ...second.unpark],
    deadLetters: [...first.deadLetters, ...second.deadLetters],
    applied: [...first.applied, ...second.applied],
  };
}
