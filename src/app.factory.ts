import type { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { sendFrameworkError, sendShuttingDown } from './common/errors/all-exceptions.filter';
import { createValidationPipe } from './common/errors/validation';
import { generateRequestId } from './common/http/request-id';
import { securityHeaders } from './common/http/security-headers';
import { ShutdownState } from './modules/health/shutdown-state';
import { validateEnv } from './config/env.schema';

export const API_PREFIX = 'api/v1';

/**
 * Builds the HTTP application exactly as production runs it; `main.ts` and the e2e tests share it.
 * Signals are handled by the caller (see `main.ts`), so shutdown can drain in order.
 */
export interface CreateAppOptions {
  /** Extra modules composed into the application (the e2e tests add probes here). */
  imports?: ModuleMetadata['imports'];
}

export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const env = validateEnv(process.env);
  const production = env.NODE_ENV === 'production';
  const setSecurityHeaders = securityHeaders({
    hsts: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI at /docs needs inline styles and scripts.
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  const adapter = new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY,
    genReqId: generateRequestId,
    forceCloseConnections: 'idle',
    // Fastify's own 503 while closing has a body of its own; refuseWhileClosing sends API.md's.
    return503OnClosing: false,
    // Answered before any hook runs: the headers are set here.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      setSecurityHeaders(request, reply, () => sendFrameworkError(error, request, reply)),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(options.imports),
    adapter,
    // JSON in (API.md): no form-encoded parser; Fastify's own JSON parser reads the bodies.
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  acceptEmptyJsonBodies(fastify);
  const shutdown = app.get(ShutdownState);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    // A keep-alive connection whose request was in flight when the server began to close is not
    // idle then, so nothing closes it afterwards, and the process would wait on the client.
    if (shutdown.isShuttingDown) reply.header('Connection', 'close');
  });

  fastify.addHook('onRequest', setSecurityHeaders);
  refuseWhileClosing(fastify);
  app.enableCors({
    origin: env.CORS_ORIGINS.length > 0 ? env.CORS_ORIGINS : !production,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed', 'Content-Disposition'],
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'ready'] });
  app.useGlobalPipes(createValidationPipe());
  setUpSwagger(app);
  return app;
}

/**
 * Many HTTP clients send `Content-Type: application/json` on every POST, also on actions that
 * take no body (logout, approve, cancel); Fastify's JSON parser refuses an empty body as
 * invalid JSON. An empty body is no body: the route's validation decides, as without the header.
 */
function acceptEmptyJsonBodies(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser<string>(
    'application/json',
    { parseAs: 'string' },
    (request, body, done) => {
      if (body.length === 0) done(null, undefined);
      else parseJson(request, body, done);
    },
  );
}

/** Once the server is closing, a request that still arrives is refused before any work. */
function refuseWhileClosing(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (closing) sendShuttingDown(request, reply);
    else done();
  });
}

function setUpSwagger(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('POS backend')
    .setDescription(
      'Multi-store point of sale: sales, inventory, transfers, reports. Money is in integer minor units (cents), VAT-inclusive.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
