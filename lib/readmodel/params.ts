/** Query-string validators every aggregate's read routes share. */
import * as z from 'zod';

/** `?minVersion=N`: read at least that version (read-your-writes). */
export const minVersionParam = z
  .string()
  .regex(/^\d{1,9}$/, { error: 'must be a whole number' })
  .transform(Number)
  .optional();

/** `?limit=N` of a page: 1-100. */
export const pageLimitParam = z
  .string()
  .regex(/^\d{1,3}$/, { error: 'must be a whole number from 1 to 100' })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 100, { error: 'must be a whole number from 1 to 100' })
  .optional();

/** `?cursor=` of a page: nextCursor of the previous one. */
export const pageCursorParam = z.string().max(1400, { error: 'is too long' }).optional();
