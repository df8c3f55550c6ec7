/** The user stream's events: their types, and the schema every stored or received event must satisfy. */
import * as z from 'zod';
import type { EventCatalogue } from '../../lib/aggregate/catalogue.js';
import { CONTROL_CHARS, isoTimestamp, LONE_SURROGATE } from '../../lib/schemas.js';
import { registeredDateToIso } from './upcasters.js';

const NAME_MAX_LENGTH = 255;

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

export type UserEvent =
  | { type: 'UserRegistered'; data: { name: string; dateRegister: string } }
  | { type: 'UserRenamed'; data: { name: string } }
  | { type: 'UserDeregistered'; data: Record<string, never> }
  | { type: 'UserErased'; data: Record<string, never> };

/** What a name reads as once its user's key is erased (the events before the erasure still fold). */
export const ERASED_NAME = '(erased)';

/**
 * The user stream's events. `name` is personal data: it is sealed with the user's own key before
 * it is stored, and UserErased deletes that key. UserRegistered v1 wrote `dateRegister` as `dd/MM/yyyy` (or already
 * ISO-8601); v2 is always ISO-8601 UTC, and v1 data is upcast to it whenever it is read.
 */
export const userEvents: EventCatalogue = {
  UserRegistered: {
    schema: z.strictObject({ name: userNameSchema, dateRegister: isoTimestamp }),
    version: 2,
    upcasters: { 1: registeredDateToIso },
    personal: { name: ERASED_NAME },
  },
  UserRenamed: {
    schema: z.strictObject({ name: userNameSchema }),
    version: 1,
    personal: { name: ERASED_NAME },
  },
  UserDeregistered: { schema: z.strictObject({}), version: 1 },
  UserErased: { schema: z.strictObject({}), version: 1 },
};
