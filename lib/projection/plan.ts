import { parseEvent, schemaVersionOf, type ParsedEvent } from '../aggregate/catalogue.js';
import type { AggregateDefinition, DomainEvent, ReadView } from '../aggregate/definition.js';
import type { Registry } from '../aggregate/registry.js';
import { decodeEnvelope, type DecodedEnvelope, type Envelope } from '../bus/envelope.js';
import { isAnySealed, openData } from '../personal-data/fields.js';
import type { StreamKey } from '../personal-data/keyring.js';
import type { DeadLetter, IncomingRecord, RecordOutcome } from './records.js';

/** The key of a stream's row in LoadedState.views: its aggregate and its id. */
export const viewKey = (aggregate: string, streamId: string): string => `${aggregate}/${streamId}`;

/** A row to write: which aggregate's table, and the row. */
export interface Upsert {
  aggregate: AggregateDefinition;
  streamId: string;
  view: ReadView;
}

/** What the read model holds for the streams of a batch, loaded before planning. */
export interface LoadedState {
  /** Rows by viewKey(aggregate name, stream id). */
  views: Map<string, ReadView>;
  /** Parked envelopes by stream, any version. */
  parked: Map<string, Envelope[]>;
  /**
   * The data keys of the batch's streams (lib/personal-data/): sealed fields are opened with
   * them only to apply the event; what is parked or dead-lettered stays sealed. A stream absent
   * here, or erased, reads its sealed fields as the catalogue's erased values.
   */
  keys: Map<string, StreamKey>;
}

/** The writes one batch needs, computed without I/O; the adapter runs them in one transaction. */
export interface BatchPlan {
  outcomes: RecordOutcome[];
  /** Final rows of streams that changed. */
  upserts: Upsert[];
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

/**
 * The streams of these envelopes that have a sealed field in one of them: the only streams whose
 * data keys opening them needs. Events without personal fields, and history written before
 * sealing, open without a key, so their streams' keys are never looked up.
 */
export function streamsWithSealedData(envelopes: Iterable<Envelope>): string[] {
  const ids = new Set<string>();
  for (const envelope of envelopes) if (isAnySealed(envelope.data)) ids.add(envelope.streamId);
  return [...ids];
}

/** The envelopes of a batch's records that decoded, in delivery order. */
export function envelopesOf(batch: DecodedRecord[]): Envelope[] {
  const envelopes: Envelope[] = [];
  for (const { decoded } of batch) if (decoded.ok) envelopes.push(decoded.envelope);
  return envelopes;
}

/** The stream ids a batch touches (to load their parked events). */
export function streamIdsOf(batch: DecodedRecord[]): string[] {
  return [...new Set(envelopesOf(batch).map((e) => e.streamId))];
}

/** The stream ids a batch touches per aggregate (to load their rows); events no aggregate owns are left out. */
export function streamIdsByAggregate(
  batch: DecodedRecord[],
  registry: Registry,
): Map<AggregateDefinition, string[]> {
  const ids = new Map<AggregateDefinition, Set<string>>();
  for (const envelope of envelopesOf(batch)) {
    const resolved = registry.resolve(envelope);
    if (!('aggregate' in resolved)) continue;
    const set = ids.get(resolved.aggregate) ?? new Set<string>();
    set.add(envelope.streamId);
    ids.set(resolved.aggregate, set);
  }
  return new Map([...ids].map(([aggregate, set]) => [aggregate, [...set]]));
}

type ParsedEnvelope =
  | { ok: true; aggregate: AggregateDefinition; event: DomainEvent }
  | Extract<ParsedEvent<DomainEvent>, { ok: false }>;

type Resolution = ReturnType<Registry['resolve']>;

/** The envelope's event, opened, upcast and validated by the catalogue of the aggregate it belongs to. */
function parseEnvelope(
  envelope: Envelope,
  resolved: Resolution,
  keys: Map<string, StreamKey>,
): ParsedEnvelope {
  if (!('aggregate' in resolved)) return { ok: false, code: 'UNKNOWN_EVENT_TYPE', reason: resolved.reason };
  const { aggregate } = resolved;
  const opened = openData(
    aggregate.events,
    envelope.type,
    envelope.streamId,
    envelope.data,
    keys.get(envelope.streamId),
  );
  if (!opened.ok)
    return { ok: false, code: 'INVALID_EVENT', reason: `invalid ${envelope.type}: ${opened.reason}` };
  const parsed = parseEvent<DomainEvent>(
    aggregate.events,
    envelope.type,
    opened.data,
    schemaVersionOf(envelope.metadata),
  );
  return parsed.ok ? { ok: true, aggregate, event: parsed.event } : parsed;
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
export function planBatch(batch: DecodedRecord[], loaded: LoadedState, registry: Registry): BatchPlan {
  const views = new Map(loaded.views);
  const parked = new Map<string, Map<number, Envelope>>();
  for (const [streamId, envelopes] of loaded.parked) {
    parked.set(streamId, new Map(envelopes.map((e) => [e.version, e])));
  }
  const changed = new Map<string, { aggregate: AggregateDefinition; streamId: string }>();
  /** Each envelope's aggregate, looked up once. */
  const resolutions = new Map<Envelope, Resolution>();
  const resolve = (envelope: Envelope): Resolution => {
    let resolved = resolutions.get(envelope);
    if (!resolved) resolutions.set(envelope, (resolved = registry.resolve(envelope)));
    return resolved;
  };
  /** The version applied of a stream, in whichever aggregate's table it is (0 for none). */
  const appliedVersion = (envelope: Envelope): number => {
    const resolved = resolve(envelope);
    if (!('aggregate' in resolved)) return 0;
    return views.get(viewKey(resolved.aggregate.name, envelope.streamId))?.version ?? 0;
  };
  const plan: BatchPlan = { outcomes: [], upserts: [], park: [], unpark: [], deadLetters: [], applied: [] };
  const newlyParked = new Set<string>();

  const apply = (envelope: Envelope, record: IncomingRecord): boolean => {
    const parsed = parseEnvelope(envelope, resolve(envelope), loaded.keys);
    if (!parsed.ok) {
      plan.deadLetters.push({ record, code: parsed.code, reason: parsed.reason });
      return false;
    }
    const { aggregate, event } = parsed;
    const key = viewKey(aggregate.name, envelope.streamId);
    const result = aggregate.readModel.apply(envelope.streamId, views.get(key), event, envelope.version);
    if (!result.ok) {
      plan.deadLetters.push({ record, code: 'INVALID_SEQUENCE', reason: result.reason });
      return false;
    }
    views.set(key, result.view);
    changed.set(key, { aggregate, streamId: envelope.streamId });
    plan.applied.push({ envelope, record });
    return true;
  };

  const drainParked = (streamId: string, current: Envelope) => {
    const waiting = parked.get(streamId);
    if (!waiting) return;
    for (;;) {
      const next = appliedVersion(current) + 1;
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
    const applied = appliedVersion(envelope);
    const waiting = parked.get(envelope.streamId);
    if (envelope.version <= applied || waiting?.has(envelope.version)) {
      plan.outcomes.push('skipped-duplicate');
      continue;
    }
    if (envelope.version > applied + 1) {
      const typeCheck = parseEnvelope(envelope, resolve(envelope), loaded.keys);
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
    drainParked(envelope.streamId, envelope);
  }

  // Parked versions the stream has already passed are obsolete.
  for (const [streamId, waiting] of parked) {
    for (const [version, envelope] of waiting) {
      const applied = appliedVersion(envelope);
      if (version > applied) continue;
      const key = `${streamId}#${version}`;
      if (newlyParked.has(key))
        plan.park = plan.park.filter((p) => !(p.streamId === streamId && p.version === version));
      else plan.unpark.push({ streamId, version });
    }
  }
  plan.upserts = [...changed].map(([key, stream]) => ({ ...stream, view: views.get(key)! }));
  return plan;
}

/** Part of a batch: its records in delivery order, and where each stands in the batch. */
export interface BatchPart {
  records: DecodedRecord[];
  indexes: number[];
}

/**
 * The batch in up to `count` parts with no stream in two, each in delivery order (streams are
 * dealt out in turn as they first appear; records without a stream go with the first part).
 * Parts share nothing, so each can be planned and written on its own.
 */
export function partsByStream(batch: DecodedRecord[], count: number): BatchPart[] {
  const parts: BatchPart[] = Array.from({ length: Math.max(1, count) }, () => ({ records: [], indexes: [] }));
  const partOf = new Map<string, BatchPart>();
  let next = 0;
  batch.forEach((item, index) => {
    let part = parts[0]!;
    if (item.decoded.ok) {
      const { streamId } = item.decoded.envelope;
      part = partOf.get(streamId) ?? parts[next++ % parts.length]!;
      partOf.set(streamId, part);
    }
    part.records.push(item);
    part.indexes.push(index);
  });
  // Fewer streams than parts leave the last ones empty; the first stays, so there is always one.
  return parts.filter((p, i) => i === 0 || p.records.length > 0);
}

/** The plans of a batch's parts as the plan of the batch: outcomes back in delivery order. */
export function mergePartPlans(parts: BatchPart[], plans: BatchPlan[], size: number): BatchPlan {
  const outcomes = new Array<RecordOutcome>(size);
  parts.forEach((part, p) => part.indexes.forEach((index, i) => (outcomes[index] = plans[p]!.outcomes[i]!)));
  return { ...plans.reduce(concatPlans), outcomes };
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
