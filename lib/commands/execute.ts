import { randomUUID } from 'node:crypto';
import { parseEvent, schemaVersionOf } from '../aggregate/catalogue.js';
import { fold } from '../aggregate/decider.js';
import type { AggregateDefinition, DomainEvent } from '../aggregate/definition.js';
import { AppError } from '../errors.js';
import type {
  EventMetadata,
  EventStore,
  NewEvent,
  StoredEvent,
  StoredResponse,
} from '../eventstore/types.js';
import { openEvents, sealEvents } from '../personal-data/events.js';
import type { Keyring } from '../personal-data/keyring.js';

export interface CommandRequest {
  streamId: string;
  command: unknown;
  /** The command starts a new stream: there is no history to read. */
  newStream?: boolean;
  /** From If-Match: the version the client last saw; a mismatch is an error, never retried. */
  ifMatchVersion?: number;
  /** The caller's Idempotency-Key and the hash of the request it came with. */
  idempotency?: { caller: string; key: string; requestHash: string };
  metadata: EventMetadata;
  now: Date;
  /** Builds the answer from the stream's version after the command. */
  respond: (version: number) => StoredResponse;
}

export interface CommandResult {
  response: StoredResponse;
  /** Events this call appended (empty for an idempotent replay or a no-op). */
  appended: StoredEvent[];
  replayed: boolean;
}

/** A stored event as the decider sees it: upcast to the current schema and validated. */
function toDomainEvent(aggregate: AggregateDefinition, stored: StoredEvent): DomainEvent {
  const parsed = parseEvent<DomainEvent>(
    aggregate.events,
    stored.type,
    stored.data,
    schemaVersionOf(stored.metadata),
  );
  if (!parsed.ok)
    throw new Error(`Stored event ${stored.eventId} of ${stored.streamId} is unreadable: ${parsed.reason}`);
  return parsed.event;
}

/** Whether a stored event is of this aggregate's streams (by its stream type, or its type when it has none). */
function belongsTo(aggregate: AggregateDefinition, stored: StoredEvent): boolean {
  return stored.streamType !== undefined
    ? stored.streamType === aggregate.streamType
    : Object.hasOwn(aggregate.events, stored.type);
}

function replay(
  existing: { requestHash: string; response: StoredResponse },
  requestHashValue: string,
): CommandResult {
  if (existing.requestHash !== requestHashValue) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request; use a new key for a new request.',
    );
  }
  return { response: existing.response, appended: [], replayed: true };
}

/** The stored answer of an earlier request with this Idempotency-Key, replayed (or refused if it was another request). */
async function committedAnswer(
  request: CommandRequest,
  store: EventStore,
): Promise<CommandResult | undefined> {
  if (!request.idempotency) return undefined;
  const existing = await store.findIdempotencyRecord(request.idempotency);
  return existing && replay(existing, request.idempotency.requestHash);
}

/**
 * The pause before retry `attempt + 1` after a version conflict: a random share ("full jitter") of
 * a ceiling that doubles from 10 ms up to 160 ms, so writers that collided do not collide again
 * in lockstep.
 */
export function conflictBackoffMs(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(160, 10 * 2 ** attempt);
}

/** Waits before deciding again after a conflict, or refuses once the retries are spent. */
async function retryAfterConflict(attempt: number, maxRetries: number, noun: string): Promise<void> {
  if (attempt >= maxRetries) {
    throw new AppError('CONCURRENCY_CONFLICT', `The ${noun} kept changing concurrently; retry the command.`);
  }
  await new Promise((resolve) => setTimeout(resolve, conflictBackoffMs(attempt)));
}

/**
 * Load → decide → append with the expected version. On a version conflict the decision is
 * simply made again on fresh state (it is pure, so this is safe), after a short random pause, a
 * bounded number of times, unless the client pinned a version with If-Match.
 */
export async function executeCommand(
  aggregate: AggregateDefinition,
  request: CommandRequest,
  deps: { store: EventStore; maxConflictRetries: number; keyring: Keyring },
): Promise<CommandResult> {
  const { store, keyring } = deps;
  const { decider, noun } = aggregate;
  for (let attempt = 0; ; attempt++) {
    const earlier = await committedAnswer(request, store);
    if (earlier) return earlier;
    const history = request.newStream
      ? []
      : await openEvents(aggregate, await store.readStream(request.streamId), keyring);
    // An id of another aggregate's stream names nothing here (stream ids are UUIDs, unique across aggregates).
    if (history.length > 0 && !belongsTo(aggregate, history[0]!)) {
      throw new AppError('STREAM_NOT_FOUND', `No ${noun} has this id.`);
    }
    const version = history.length;
    if (request.ifMatchVersion !== undefined && request.ifMatchVersion !== version) {
      // The same request may have moved the stream on meanwhile: its answer is the retry's answer.
      const committed = await committedAnswer(request, store);
      if (committed) return committed;
      throw new AppError(
        'VERSION_MISMATCH',
        `If-Match names version ${request.ifMatchVersion}; the ${noun} is at ${version}.`,
        {
          currentVersion: version,
        },
      );
    }
    const state = fold(
      decider,
      history.map((stored) => toDomainEvent(aggregate, stored)),
    );
    const decided: DomainEvent[] = decider.decide(request.command, state);
    const response = request.respond(version + decided.length);
    const sealed = await sealEvents(
      aggregate,
      request.streamId,
      decided.map((event): NewEvent => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { ...request.metadata, schemaVersion: aggregate.events[event.type]?.version ?? 1 },
        occurredAt: request.now.toISOString(),
      })),
      keyring,
      request.newStream,
    );
    if (sealed === 'erased') {
      // The stream was erased after its history was read: decide again on the erased state.
      await retryAfterConflict(attempt, deps.maxConflictRetries, noun);
      continue;
    }
    const { newKey } = sealed;
    const outcome = await store.append({
      streamId: request.streamId,
      streamType: aggregate.streamType,
      expectedVersion: version,
      events: sealed.events,
      idempotency: request.idempotency && { ...request.idempotency, response },
      alsoInTransaction: newKey && ((transaction) => keyring.storeNewKey(newKey, transaction)),
    });
    switch (outcome.outcome) {
      case 'appended':
        return { response, appended: outcome.events, replayed: false };
      case 'idempotency-key-taken':
        return replay(outcome.existing, request.idempotency!.requestHash);
      case 'version-conflict': {
        // A twin request with the same key may be what won the race: then answer as it did.
        const committed = await committedAnswer(request, store);
        if (committed) return committed;
        if (request.ifMatchVersion !== undefined) {
          throw new AppError('VERSION_MISMATCH', `The ${noun} changed since the version named in If-Match.`);
        }
        await retryAfterConflict(attempt, deps.maxConflictRetries, noun);
      }
    }
  }
}
