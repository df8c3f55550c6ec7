import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AppError } from '../errors.js';
import { CORE_STATUS, statusOf } from './status.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** `{"error": {"code", "message", "details"?}}` with the status its code maps to. */
export function errorResponse(
  error: AppError,
  headers: Record<string, string> = {},
  statuses: Readonly<Record<string, number>> = CORE_STATUS,
): HttpResponse {
  const body = {
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  };
  return json(statusOf(error.code, statuses), body, headers);
}
