import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids: an upstream `X-Request-Id` is kept when it looks safe, otherwise a UUID.
 * The id is also set on the raw request so the HTTP logger prints the same one.
 */
export function generateRequestId(raw: IncomingMessage): string {
  const incoming = raw.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  Object.assign(raw, { id });
  return id;
}
