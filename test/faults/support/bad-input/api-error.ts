import type { LightMyRequestResponse } from 'fastify';

/** The error codes of API.md ("Errors") with the status each one is sent with. */
const API_ERROR_STATUS: Record<string, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INSUFFICIENT_STOCK: 409,
  INVALID_STATE: 409,
  CONFLICT: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYMENT_MISMATCH: 422,
  RETURN_EXCEEDS_SALE: 422,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

const API_STATUSES = new Set(Object.values(API_ERROR_STATUS));

/**
 * A 4xx status API.md does not list (414 URI Too Long, 415 Unsupported Media Type) is a fault
 * in the request's form; it carries the code of such faults, VALIDATION_FAILED.
 */
function isOtherRequestError(status: number, code: string): boolean {
  return !API_STATUSES.has(status) && code === 'VALIDATION_FAILED';
}

const ERROR_BODY_KEYS = ['code', 'details', 'message', 'requestId', 'statusCode'];

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Why a response is not a rejection of bad input as API.md describes it: a 4xx status with
 * `{ statusCode, code, message, details, requestId }`, the code from the table with its status.
 * An empty list means the response is such a rejection.
 */
export function rejectionProblems(response: LightMyRequestResponse): string[] {
  const status = response.statusCode;
  if (status < 400 || status > 499)
    return [`status ${status} is not 4xx: ${response.body.slice(0, 300)}`];
  const problems: string[] = [];
  if (!String(response.headers['content-type'] ?? '').startsWith('application/json'))
    problems.push(`content-type ${String(response.headers['content-type'])} is not JSON`);
  const body = parseJson(response.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return [...problems, `body is not an error object: ${response.body.slice(0, 300)}`];
  const error = body as Record<string, unknown>;
  const keys = Object.keys(error).sort().join(',');
  if (keys !== ERROR_BODY_KEYS.join(',')) problems.push(`body keys are ${keys}`);
  if (error.statusCode !== status) problems.push(`statusCode ${String(error.statusCode)}`);
  const code = String(error.code);
  if (!(code in API_ERROR_STATUS)) problems.push(`code ${code} is not in API.md`);
  else if (API_ERROR_STATUS[code] !== status && !isOtherRequestError(status, code))
    problems.push(`code ${code} is sent with ${API_ERROR_STATUS[code]} in API.md, not ${status}`);
  if (typeof error.message !== 'string' || error.message === '') problems.push('no message');
  if (!Array.isArray(error.details)) problems.push('details is not an array');
  if (typeof error.requestId !== 'string' || error.requestId !== response.headers['x-request-id'])
    problems.push('requestId does not match X-Request-Id');
  return problems;
}

/** Asserts a rejection (see rejectionProblems) and returns the error body. */
export function expectRejected(response: LightMyRequestResponse): {
  code: string;
  details: { field?: string; problems?: string[] }[];
} {
  expect(rejectionProblems(response)).toEqual([]);
  return response.json();
}
