/** The console's calls to its API (/console/api) and to the query API, all on this origin. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch {
    throw new ApiError(0, 'UNREACHABLE', 'The server does not answer: is npm start still running?');
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(
      res.status,
      'NOT_JSON',
      `${path} answered ${res.status} with a body that is not JSON.`,
    );
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? 'HTTP_' + res.status,
      error?.message ?? `${path} answered ${res.status}.`,
    );
  }
  return body as T;
}

export const postJson = <T>(path: string, body: unknown = {}) =>
  getJson<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
