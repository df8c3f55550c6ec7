/** Response bodies of the HTTP API, as schemas: the OpenAPI document is built from them. */
import * as z from 'zod';
import { ERROR_CODES } from '../errors.js';

export const commandResult = z.strictObject({ id: z.uuid(), version: z.number().int().min(0) });

export const userBody = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  dateRegister: z.string(),
  version: z.number().int().min(1),
});

export const userPage = z.strictObject({ items: z.array(userBody), nextCursor: z.string().nullable() });

export const pendingRead = z.strictObject({
  id: z.uuid(),
  status: z.literal('pending'),
  minVersion: z.number().int(),
  currentVersion: z.number().int(),
});

export const errorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z
      .union([
        z.array(z.strictObject({ field: z.string(), problem: z.string() })),
        z.record(z.string(), z.unknown()),
      ])
      .optional(),
  }),
});
