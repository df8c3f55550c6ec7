/** Issue item 6 (informational): HTTP through `sls offline` with autocannon, 16 connections. */
import autocannon from 'autocannon';

export interface HttpFigure {
  route: string;
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

export async function httpLoad(
  url: string,
  route: string,
  request: { method: 'GET' | 'POST'; path: string; body?: string },
  durationSeconds: number,
): Promise<HttpFigure> {
  const result = await autocannon({
    url,
    connections: 16,
    duration: durationSeconds,
    method: request.method,
    requests: [
      {
        method: request.method,
        path: request.path,
        ...(request.body ? { body: request.body, headers: { 'content-type': 'application/json' } } : {}),
      },
    ],
  });
  return {
    route,
    requestsPerSecond: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}
