/**
 * Event schema versions and the upcasters that bring an older stored event to the current
 * schema before it is validated, folded or projected. Stored events are never rewritten.
 *
 * UserRegistered v1 is the proof of concept's format: `dateRegister` as `dd/MM/yyyy` (its
 * USER_DATA rows, e.g. '27/10/2020'), or already ISO-8601. v2 is always ISO-8601 UTC.
 */

/** The schema version new events of each type are written with (metadata.schemaVersion). */
export const CURRENT_SCHEMA_VERSION: Record<string, number> = {
  UserRegistered: 2,
  UserRenamed: 1,
  UserDeregistered: 1,
};

type Upcaster = (data: unknown) => unknown;

const SEED_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** `dd/MM/yyyy` → midnight UTC that day, ISO-8601; other values are left for the schema to judge. */
function seedDateToIso(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = SEED_DATE.exec(value);
  if (!match) return value;
  const [, day, month, year] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const valid = date.getUTCDate() === Number(day) && date.getUTCMonth() === Number(month) - 1;
  return valid ? date.toISOString() : value;
}

/** upcasters[type][v] turns version v data into version v + 1. */
const upcasters: Record<string, Record<number, Upcaster>> = {
  UserRegistered: {
    1: (data) => {
      if (typeof data !== 'object' || data === null) return data;
      const record = data as Record<string, unknown>;
      return { ...record, dateRegister: seedDateToIso(record.dateRegister) };
    },
  },
};

/** The schema version an event was written with: metadata.schemaVersion, or 1 when absent. */
export function schemaVersionOf(metadata: unknown): number {
  const version = (metadata as { schemaVersion?: unknown } | null)?.schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}

/** The event's data in the current schema of its type (unchanged when already current or unknown). */
export function upcast(type: string, data: unknown, schemaVersion: number): unknown {
  const target = CURRENT_SCHEMA_VERSION[type] ?? schemaVersion;
  let current = data;
  for (let v = schemaVersion; v < target; v++) {
    const step = upcasters[type]?.[v];
    if (step) current = step(current);
  }
  return current;
}
