import { AppError } from '../errors.js';

/** Opaque page cursors: base64url JSON of the last item's (name, id). */
export function encodeCursor(position: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([position.name, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { name: string; id: string } {
  const invalid = () =>
    new AppError('VALIDATION_FAILED', 'The cursor is invalid; use nextCursor from a previous page.', [
      { field: 'cursor', problem: 'is not a cursor this API issued' },
    ]);
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(cursor)) throw invalid();
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { name: value[0] as string, id: value[1] as string };
    }
  } catch {
    /* fall through */
  }
  throw invalid();
}
