/**
 * An aggregate's event catalogue: each event type's schema, the schema version new events are
 * written with, and the upcasters that bring older stored data to that version. Stored events
 * are never rewritten; they are upcast and validated each time they are read.
 */
import type * as z from 'zod';

/** Turns data of schema version v into version v + 1. */
export type Upcaster = (data: unknown) => unknown;

export interface EventSpec {
  schema: z.ZodType;
  /** The schema version new events of this type are written with (metadata.schemaVersion). */
  version: number;
  /** upcasters[v] turns version v data into version v + 1. */
  upcasters?: Record<number, Upcaster>;
  /**
   * The data's personal fields, sealed with the stream's own key before the event is stored
   * (lib/personal-data/), each with the value it reads as once that key is erased: a value
   * `schema` accepts. Fields not listed are stored, published and dead-lettered as plain JSON.
   */
  personal?: Record<string, unknown>;
}

export type EventCatalogue = Record<string, EventSpec>;

export type ParsedEvent<Event> =
  { ok: true; event: Event } | { ok: false; code: 'UNKNOWN_EVENT_TYPE' | 'INVALID_EVENT'; reason: string };

/** The schema version an event was written with: metadata.schemaVersion, or 1 when absent. */
export function schemaVersionOf(metadata: unknown): number {
  const version = (metadata as { schemaVersion?: unknown } | null)?.schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}

/** The event's data in the current schema of its type (unchanged when already current or unknown). */
export function upcast(
  catalogue: EventCatalogue,
  type: string,
  data: unknown,
  schemaVersion: number,
): unknown {
  const spec = Object.hasOwn(catalogue, type) ? catalogue[type] : undefined;
  if (!spec) return data;
  let current = data;
  for (let v = schemaVersion; v < spec.version; v++) {
    const step = spec.upcasters?.[v];
    if (step) current = step(current);
  }
  return current;
}

/**
 * Validates an event read from outside (the bus, the store) against its type's current schema,
 * after upcasting it from the schema version it was written with. Never throws.
 */
export function parseEvent<Event>(
  catalogue: EventCatalogue,
  type: string,
  data: unknown,
  schemaVersion: number,
): ParsedEvent<Event> {
  if (!Object.hasOwn(catalogue, type))
    return { ok: false, code: 'UNKNOWN_EVENT_TYPE', reason: `unknown event type "${type}"` };
  const result = catalogue[type]!.schema.safeParse(upcast(catalogue, type, data, schemaVersion));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
    return { ok: false, code: 'INVALID_EVENT', reason: `invalid ${type}: ${problems.join('; ')}` };
  }
  return { ok: true, event: { type, data: result.data } as Event };
}
