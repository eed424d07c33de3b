import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import type { Options } from 'pino-http';
import type { Env } from '../../config/env.schema';
import type { LogFiles } from './log-files';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.secret',
];

const QUIET_PATHS = new Set(['/health', '/ready']);

/**
 * pino's error serializer without a failed query's `parameters` (TypeORM's QueryFailedError
 * carries them: password hashes, emails, phone numbers); the SQL text stays. pino-http hands
 * it the error already serialized, a bare pino logger the error itself.
 */
export function serializeError(error: unknown): unknown {
  const serialized = error instanceof Error ? stdSerializers.err(error) : error;
  if (serialized && typeof serialized === 'object')
    delete (serialized as { parameters?: unknown }).parameters;
  return serialized;
}

function prettyTransportAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON lines with request id, method, path, status and duration; pretty only in development
 * without LOG_DIR. With LOG_DIR (and `files`), the same lines also go to rotating files.
 */
export function loggerOptions(
  env: Pick<Env, 'NODE_ENV' | 'LOG_LEVEL' | 'LOG_DIR'>,
  files?: LogFiles,
): Params {
  const destination = env.LOG_DIR && files ? files.destination(env.LOG_DIR) : undefined;
  const pretty = env.NODE_ENV === 'development' && !destination && prettyTransportAvailable();
  const options: Options = {
    level: env.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
  };
  return {
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: destination ? [options, destination] : options,
  };
}
