/**
 * Upcasters of the user stream's events: older stored data brought to the current schema before
 * it is validated, folded or projected (see userEvents in events.ts). Stored events are never rewritten.
 */

const DAY_MONTH_YEAR = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** `dd/MM/yyyy` → midnight UTC that day, ISO-8601; other values are left for the schema to judge. */
function dayMonthYearToIso(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = DAY_MONTH_YEAR.exec(value);
  if (!match) return value;
  const [, day, month, year] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const valid = date.getUTCDate() === Number(day) && date.getUTCMonth() === Number(month) - 1;
  return valid ? date.toISOString() : value;
}

/** UserRegistered v1 → v2: `dateRegister` as `dd/MM/yyyy` (e.g. '27/10/2020') becomes ISO-8601 UTC. */
export function registeredDateToIso(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const record = data as Record<string, unknown>;
  return { ...record, dateRegister: dayMonthYearToIso(record.dateRegister) };
}
