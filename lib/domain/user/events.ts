/** The user stream's events: their types, and the schema every stored or received event must satisfy. */
import * as z from 'zod';
import { isoTimestamp } from '../../schemas.js';
import { CURRENT_SCHEMA_VERSION, upcast } from './upcasters.js';

export const NAME_MAX_LENGTH = 255;

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its pair: no UTF-8 encoding exists, so the database would refuse it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A user name: a string, trimmed length 1-255, no control characters, well-formed Unicode. */
export const userNameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(NAME_MAX_LENGTH, { error: `must be at most ${NAME_MAX_LENGTH} characters` })
  .refine((name) => !CONTROL_CHARS.test(name), { error: 'must not contain control characters' })
  .refine((name) => !LONE_SURROGATE.test(name), {
    error: 'must be well-formed Unicode (no unpaired surrogate)',
  });

export const userEventSchemas = {
  UserRegistered: z.strictObject({ name: userNameSchema, dateRegister: isoTimestamp }),
  UserRenamed: z.strictObject({ name: userNameSchema }),
  UserDeregistered: z.strictObject({}),
};

export type UserEventType = keyof typeof userEventSchemas;

export type UserEvent =
  | { type: 'UserRegistered'; data: { name: string; dateRegister: string } }
  | { type: 'UserRenamed'; data: { name: string } }
  | { type: 'UserDeregistered'; data: Record<string, never> };

export function isUserEventType(type: string): type is UserEventType {
  return Object.hasOwn(userEventSchemas, type);
}

export type ParsedUserEvent =
  | { ok: true; event: UserEvent }
  | { ok: false; code: 'UNKNOWN_EVENT_TYPE' | 'INVALID_EVENT'; reason: string };

/**
 * Validates an event received from outside (the bus, the store) against its type's current
 * schema, after upcasting it from the schema version it was written with.
 */
export function parseUserEvent(
  type: string,
  data: unknown,
  schemaVersion = CURRENT_SCHEMA_VERSION[type] ?? 1,
): ParsedUserEvent {
  if (!isUserEventType(type))
    return { ok: false, code: 'UNKNOWN_EVENT_TYPE', reason: `unknown event type "${type}"` };
  const result = userEventSchemas[type].safeParse(upcast(type, data, schemaVersion));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
    return { ok: false, code: 'INVALID_EVENT', reason: `invalid ${type}: ${problems.join('; ')}` };
  }
  return { ok: true, event: { type, data: result.data } as UserEvent };
}
