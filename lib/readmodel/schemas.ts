/** Query parameters of GET /users; also the source of their OpenAPI description. */
import * as z from 'zod';
import { CONTROL_CHARS, LONE_SURROGATE } from '../domain/user/events.js';

export const listUsersQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'must be a whole number from 1 to 100' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, { error: 'must be a whole number from 1 to 100' })
    .optional(),
  cursor: z.string().max(1400, { error: 'is too long' }).optional(),
  name: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(255, { error: 'must be at most 255 characters' })
    .refine((v) => !CONTROL_CHARS.test(v), { error: 'must not contain control characters' })
    .refine((v) => !LONE_SURROGATE.test(v), { error: 'must be well-formed Unicode (no unpaired surrogate)' })
    .optional(),
});

/** Query parameters of GET /users/{id}: `minVersion` asks to read at least that version (read-your-writes). */
export const getUserQuery = z.strictObject({
  minVersion: z
    .string()
    .regex(/^\d{1,9}$/, { error: 'must be a whole number' })
    .transform(Number)
    .optional(),
});
