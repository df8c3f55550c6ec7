import type { z } from 'zod';
import { AppError, type ErrorDetail } from '../errors.js';

/** Parses `input` with `schema` or throws VALIDATION_FAILED naming each field and its problem. */
export function validate<T extends z.ZodType>(schema: T, input: unknown, root = 'body'): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details: ErrorDetail[] = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), problem: 'is not an accepted field' };
    }
    return { field: issue.path.length ? issue.path.join('.') : root, problem: issue.message };
  });
  throw new AppError(
    'VALIDATION_FAILED',
    `The request is invalid: ${details.map((d) => `${d.field} ${d.problem}`).join('; ')}.`,
    details,
  );
}
