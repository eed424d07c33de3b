import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet, { HelmetOptions } from 'helmet';

/**
 * helmet's security headers on every response. The middleware is built once: @fastify/helmet
 * built a fresh one, CSP directives parsed again, on every request (3 % of the API's CPU per
 * sale), and no route here needs headers of its own.
 */
export function securityHeaders(options: HelmetOptions): SecurityHeaders {
  const setHeaders = helmet(options);
  return (request, reply, done) =>
    setHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
}

/** Sets the headers on a reply; also usable as an `onRequest` hook. */
export type SecurityHeaders = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void;
