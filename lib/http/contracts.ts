/** Response bodies every aggregate's routes share, as schemas: the OpenAPI document is built from them. */
import * as z from 'zod';

export const commandResult = z.strictObject({ id: z.uuid(), version: z.number().int().min(0) });

export const pendingRead = z.strictObject({
  id: z.uuid(),
  status: z.literal('pending'),
  minVersion: z.number().int(),
  currentVersion: z.number().int(),
});

/** The one error body, `{"error": {"code", "message", "details"?}}`, with the codes the API answers with. */
export function errorBody(codes: readonly [string, ...string[]]) {
  return z.strictObject({
    error: z.strictObject({
      code: z.enum(codes),
      message: z.string(),
      details: z
        .union([
          z.array(z.strictObject({ field: z.string(), problem: z.string() })),
          z.record(z.string(), z.unknown()),
        ])
        .optional(),
    }),
  });
}
