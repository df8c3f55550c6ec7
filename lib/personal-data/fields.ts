/**
 * Sealing and opening the personal fields of one event's data, as its catalogue declares them.
 * Pure: the stream's key comes in. A sealed field names its stream and field in the cipher's
 * additional data.
 */
import type { KeyObject } from 'node:crypto';
import type { EventCatalogue, EventSpec } from '../aggregate/catalogue.js';
import { isSealed, seal, unseal } from './cipher.js';
import type { StreamKey } from './keyring.js';

const specOf = (catalogue: EventCatalogue, type: string): EventSpec | undefined =>
  Object.hasOwn(catalogue, type) ? catalogue[type] : undefined;

const context = (streamId: string, field: string): string => `${streamId}/${field}`;

/** Whether events of this type carry personal fields. */
export function hasPersonalFields(catalogue: EventCatalogue, type: string): boolean {
  const personal = specOf(catalogue, type)?.personal;
  return personal !== undefined && Object.keys(personal).length > 0;
}

/** Whether an aggregate's catalogue declares any personal field. */
export function declaresPersonalData(catalogue: EventCatalogue): boolean {
  return Object.keys(catalogue).some((type) => hasPersonalFields(catalogue, type));
}

/** The data with each declared personal field that is present and still plain sealed with `key`. */
export function sealData(
  catalogue: EventCatalogue,
  type: string,
  streamId: string,
  data: unknown,
  key: KeyObject,
): unknown {
  const personal = specOf(catalogue, type)?.personal;
  if (!personal || typeof data !== 'object' || data === null) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const field of Object.keys(personal)) {
    if (!Object.hasOwn(out, field) || isSealed(out[field])) continue;
    out[field] = seal(key, context(streamId, field), out[field]);
  }
  return out;
}

/** Whether any top-level field of the data is sealed. */
export function isAnySealed(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Object.values(data).some(isSealed);
}

export type Opened = { ok: true; data: unknown } | { ok: false; reason: string };

/**
 * The data with every sealed field opened. With the stream's key erased (or never found), a
 * field reads as its declared erased value (null when the type does not declare it); a field
 * that does not open with the key is an error naming the field, never its content.
 */
export function openData(
  catalogue: EventCatalogue,
  type: string,
  streamId: string,
  data: unknown,
  key: StreamKey | undefined,
): Opened {
  if (!isAnySealed(data)) return { ok: true, data };
  const personal = specOf(catalogue, type)?.personal ?? {};
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [field, value] of Object.entries(out)) {
    if (!isSealed(value)) continue;
    if (key === undefined || key === 'erased') {
      out[field] = Object.hasOwn(personal, field) ? personal[field] : null;
      continue;
    }
    try {
      out[field] = unseal(key, context(streamId, field), value);
    } catch {
      return { ok: false, reason: `${field}: the sealed personal data does not open with the stream's key` };
    }
  }
  return { ok: true, data: out };
}
