import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  Optional,
} from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorAlerts } from '../../modules/alerts/error-alerts.service';
import { whyDatabaseUnavailable } from './database-errors';
import { DomainError, ErrorCode } from './domain-error';

const UNAVAILABLE_MESSAGE = {
  unreachable: 'The database is unavailable; nothing was written. Try again shortly.',
  busy: 'The data this request needs stayed locked by other work; nothing was written. Try again shortly.',
  'too-slow':
    'The database stopped the request, which took longer than allowed; nothing was written. A report over a long period or many stores: ask for less at a time.',
  'outcome-unknown':
    'The database connection was lost while saving; it may have been recorded. A request with an Idempotency-Key can be sent again with the same key (it is never recorded twice); check anything else before sending it again.',
  'no-writes':
    'The database takes no writes right now (read-only, or out of disk space); nothing was written. Try again shortly.',
} as const;

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details: unknown[];
  requestId: string;
}

interface Mapped {
  status: number;
  code: ErrorCode;
  message: string;
  details: unknown[];
  headers?: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

function codeFor(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Errors raised by Fastify itself (body parsing, limits) before a route handler runs. */
function fastifyError(exception: unknown): Mapped | undefined {
  const error = exception as { statusCode?: unknown; code?: unknown; message?: string };
  if (typeof error?.statusCode !== 'number' || error.statusCode >= 500) return undefined;
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_')) return undefined;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is too large',
      details: [],
    };
  }
  const message = error.code.startsWith('FST_ERR_CTP_INVALID_JSON')
    ? 'Request body is not valid JSON'
    : (error.message ?? 'Bad request');
  return { status: error.statusCode, code: codeFor(error.statusCode), message, details: [] };
}

function errorBody(mapped: Mapped, request: FastifyRequest): ErrorBody {
  return {
    statusCode: mapped.status,
    code: mapped.code,
    message: mapped.message,
    details: mapped.details,
    requestId: String(request.id),
  };
}

/**
 * Fastify's router answers a malformed URL (bad percent-encoding) or an over-long path
 * parameter before Nest sees the request, and before any `onRequest` hook: as its
 * `frameworkErrors` handler this sends the same error body as the filter below, and the
 * caller adds the security headers.
 */
/**
 * A request that reaches a server already closing (pipelined, or on a keep-alive connection
 * busy when the close began): nothing runs, and the client tries another instance.
 */
export function sendShuttingDown(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = errorBody(
    {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The server is shutting down; nothing was done. Try again.',
      details: [],
    },
    request,
  );
  return reply.status(503).header('Connection', 'close').send(body);
}

export function sendFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const mapped: Mapped = fastifyError(error) ?? {
    status: 500,
    code: 'INTERNAL',
    message: 'Internal server error',
    details: [],
  };
  const body = errorBody(mapped, request);
  // Sent outside the route's hooks, so the request id header is set here.
  void reply.status(mapped.status).header('X-Request-Id', body.requestId).send(body);
}

/** Maps every error, whatever raised it, to the single error body of API.md. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** Emails the admins about 500s in production (throttled); absent in bare test modules. */
  constructor(@Optional() private readonly alerts?: ErrorAlerts) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = this.map(exception, request);
    const body = errorBody(mapped, request);
    for (const [name, value] of Object.entries(mapped.headers ?? {})) reply.header(name, value);
    reply.status(mapped.status).send(body);
    if (mapped.status === 500 && this.alerts?.enabled) {
      const route = request.routeOptions?.url ?? request.url.split('?')[0];
      void this.alerts.report(exception, {
        source: `${request.method} ${route}`,
        requestId: body.requestId,
      });
    }
  }

  private map(exception: unknown, request: FastifyRequest): Mapped {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        details: exception.details,
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500)
        this.logger.error({ err: exception, requestId: request.id }, 'HTTP exception');
      return { status, code: codeFor(status), message: messageOf(exception), details: [] };
    }
    const fromFastify = fastifyError(exception);
    if (fromFastify) return fromFastify;
    const unavailable = whyDatabaseUnavailable(exception);
    if (unavailable) {
      this.logger.error({ err: exception, requestId: request.id }, 'Database unavailable');
      return {
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: UNAVAILABLE_MESSAGE[unavailable],
        details: [],
        headers: { 'Retry-After': '5' },
      };
    }
    this.logger.error({ err: exception, requestId: request.id }, 'Unhandled error');
    return { status: 500, code: 'INTERNAL', message: 'Internal server error', details: [] };
  }
}
