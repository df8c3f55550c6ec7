import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** An API Gateway v2 event after the middlewares: lower-case headers, request id, parsed body. */
export interface HttpEvent extends APIGatewayProxyEventV2 {
  normalizedHeaders: Record<string, string>;
  requestId: string;
  correlationId: string;
  /** Who sent a command (lib/http/auth.ts): the IAM principal, the token's caller, or '' without auth. */
  caller?: string;
  jsonBody?: Record<string, unknown>;
}
