/**
 * The seam between the domain and everything outside it: an aggregate's events are sealed just
 * before they are stored (so the store, the outbox, Kafka, dead letters and parked events only
 * ever hold ciphertext for personal fields) and opened just before a decider, a read model or
 * an oracle folds them.
 */
import type { AggregateDefinition } from '../aggregate/definition.js';
import type { NewEvent, UnpositionedEvent } from '../eventstore/types.js';
import { hasPersonalFields, isAnySealed, openData, sealData } from './fields.js';
import type { Keyring, NewStreamKey, StreamKey } from './keyring.js';

/**
 * The plaintext of the data this container sealed, by the sealed data object: the write models
 * of the same append get it back without a key lookup and a decryption (the value is the one the
 * cipher would give). Entries go with their events once the append is done with them.
 */
const sealedHere = new WeakMap<object, unknown>();

export interface SealedEvents {
  events: NewEvent[];
  /** A new stream's key, for the append's transaction to store (Keyring.storeNewKey). */
  newKey?: NewStreamKey;
}

/**
 * The new events with their personal fields sealed with the stream's key; a new stream's
 * (`isNewStream`, a fresh id) is made here and returned for the append to store. `erased` when
 * the stream's key was erased meanwhile (the command must be decided again).
 */
export async function sealEvents(
  aggregate: AggregateDefinition,
  streamId: string,
  events: NewEvent[],
  keyring: Keyring,
  isNewStream = false,
): Promise<SealedEvents | 'erased'> {
  if (!events.some((e) => hasPersonalFields(aggregate.events, e.type))) return { events };
  const newKey = isNewStream ? await keyring.newKey(streamId) : undefined;
  const key = newKey?.key ?? (await keyring.keyForWriting(streamId));
  if (key === 'erased') return 'erased';
  const sealed = events.map((e) => {
    const data = sealData(aggregate.events, e.type, streamId, e.data, key);
    if (data !== e.data) sealedHere.set(data as object, e.data);
    return { ...e, data };
  });
  return { events: sealed, newKey };
}

/** Stored events with their sealed fields opened (erased ones read as the catalogue's erased values). */
export async function openEvents<E extends UnpositionedEvent>(
  aggregate: AggregateDefinition,
  events: E[],
  keyring: Keyring,
): Promise<E[]> {
  const toOpen = events.filter((e) => isAnySealed(e.data) && plaintextSealedHere(e.data) === undefined);
  const keys = toOpen.length
    ? await keyring.keysFor([...new Set(toOpen.map((e) => e.streamId))])
    : new Map<string, StreamKey>();
  return events.map((event) => {
    const known = plaintextSealedHere(event.data);
    if (known !== undefined) return { ...event, data: known };
    const opened = openData(
      aggregate.events,
      event.type,
      event.streamId,
      event.data,
      keys.get(event.streamId),
    );
    if (!opened.ok) {
      throw new Error(`Stored event ${event.eventId} of ${event.streamId} is unreadable: ${opened.reason}`);
    }
    return opened.data === event.data ? event : { ...event, data: opened.data };
  });
}

const plaintextSealedHere = (data: unknown): unknown =>
  typeof data === 'object' && data !== null ? sealedHere.get(data) : undefined;
