import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { validateEnv } from '../../src/config/env.schema';
import { startTestApp, TestApp } from '../support/app';
import { bearer } from '../support/auth';
import { rejectionProblems } from './support/bad-input/api-error';
import {
  BadRequest,
  OpenApiBadRequests,
  OpenApiDocument,
  validRequestToSend,
} from './support/bad-input/openapi-cases';
import {
  OPERATIONS_WITHOUT_INPUT,
  ValidRequest,
  validRequests,
} from './support/bad-input/valid-requests';
import {
  BadInputWorld,
  DatabaseSnapshot,
  seedBadInputWorld,
  snapshotDatabase,
} from './support/bad-input/world';

/** Random JSON bodies per operation, on top of the schema-derived ones. */
const RANDOM_BODIES_PER_OPERATION = 12;
const CONCURRENT_REQUESTS = 8;

/**
 * For every operation of the OpenAPI document: bad path, query, header and body values derived
 * from its schemas, malformed and non-JSON bodies, random JSON and an over-limit body. Every
 * one must be a 4xx with the error body of API.md, and none may write anything.
 */
describe('bad input generated from the OpenAPI document', () => {
  let api: TestApp;
  let world: BadInputWorld;
  let generator: OpenApiBadRequests;
  let valid: Record<string, ValidRequest>;
  let before: DatabaseSnapshot;

  beforeAll(async () => {
    api = await startTestApp();
    world = await seedBadInputWorld(api);
    const docs = await api.request({ method: 'GET', url: '/docs-json' });
    generator = new OpenApiBadRequests(docs.json() as OpenApiDocument);
    valid = validRequests(world);
    before = await snapshotDatabase(api);
  });
  afterAll(() => api.close());

  function send(
    request: Pick<BadRequest, 'caller' | 'method' | 'url' | 'headers' | 'payload'>,
  ): Promise<LightMyRequestResponse> {
    const token = request.caller === 'anonymous' ? undefined : world.tokens[request.caller];
    return api.request({
      method: request.method as InjectOptions['method'],
      url: request.url,
      headers: { ...request.headers, ...(token ? bearer(token) : {}) },
      payload: request.payload,
    });
  }

  /** Problems with one response, named after the request that got it. */
  function problemsOf(request: BadRequest, response: LightMyRequestResponse): string[] {
    const problems = rejectionProblems(response);
    if (request.field && problems.length === 0) {
      const { code, details } = response.json() as { code: string; details: { field?: string }[] };
      const named = details.some(
        (detail) => detail.field === request.field || detail.field?.startsWith(`${request.field}.`),
      );
      if (code !== 'VALIDATION_FAILED' || !named)
        problems.push(`${code} does not name ${request.field}: ${response.body.slice(0, 200)}`);
    }
    return problems.map(
      (problem) =>
        `${request.caller} ${request.operation} · ${request.what} → ${response.statusCode}: ${problem}`,
    );
  }

  it('has a valid request for every operation that takes input', () => {
    const operations = generator.operations();
    const uncovered = operations.filter(
      (operation) => !(operation in valid) && !OPERATIONS_WITHOUT_INPUT.includes(operation),
    );
    expect(uncovered).toEqual([]);
    expect(Object.keys(valid).filter((operation) => !operations.includes(operation))).toEqual([]);
  });

  it('rejects every generated bad request with a 4xx error body of API.md', async () => {
    const requests = Object.entries(valid).flatMap(([operation, request]) =>
      generator.forOperation(operation, request, RANDOM_BODIES_PER_OPERATION),
    );
    const failures: string[] = [];
    for (let start = 0; start < requests.length; start += CONCURRENT_REQUESTS) {
      const batch = requests.slice(start, start + CONCURRENT_REQUESTS);
      const responses = await Promise.all(batch.map(send));
      batch.forEach((request, index) => failures.push(...problemsOf(request, responses[index])));
    }
    expect(failures).toEqual([]);
    expect(requests.length).toBeGreaterThan(1000);
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over the configured limit, on every operation that takes one', async () => {
    const limit = validateEnv(process.env).BODY_LIMIT_BYTES;
    const oversized = JSON.stringify({ padding: 'x'.repeat(limit) });
    const failures: string[] = [];
    for (const [operation, request] of Object.entries(valid)) {
      if (!generator.takesBody(operation)) continue;
      const bad: BadRequest = {
        ...validRequestToSend(operation, request),
        operation,
        what: `${oversized.length}-byte body`,
        caller: request.callers[0],
        payload: oversized,
      };
      const response = await send(bad);
      failures.push(...problemsOf(bad, response));
      if (response.statusCode !== 413)
        failures.push(`${operation}: ${response.statusCode}, not 413`);
    }
    expect(failures).toEqual([]);
  });

  it('leaves every table of the database unchanged', async () => {
    expect(await snapshotDatabase(api)).toEqual(before);
  });

  // Last, as it writes; the password change goes at the very end, as it ends the caller's session.
  it('accepts each valid request the bad ones were made from, so only the broken part was refused', async () => {
    const passwordChangeLast = (operation: string) => Number(operation.endsWith('/auth/password'));
    const operations = Object.keys(valid).sort(
      (a, b) => passwordChangeLast(a) - passwordChangeLast(b),
    );
    const refused: string[] = [];
    for (const operation of operations) {
      const request = valid[operation];
      const response = await send({
        ...validRequestToSend(operation, request),
        caller: request.callers[0],
      });
      if (response.statusCode === 400 || response.statusCode >= 500)
        refused.push(`${operation} → ${response.statusCode} ${response.body.slice(0, 300)}`);
    }
    expect(refused).toEqual([]);
  });
});
