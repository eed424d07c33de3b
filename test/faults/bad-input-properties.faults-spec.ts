import * as fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, TestApp } from '../support/app';
import { bearer } from '../support/auth';
import { expectRejected } from './support/bad-input/api-error';
import { randomJsonBody, randomNonObjectText } from './support/bad-input/invalid-arbitraries';
import { MUTATION_TARGETS, MutationTarget, withField } from './support/bad-input/mutation-targets';
import {
  BadInputWorld,
  DatabaseSnapshot,
  seedBadInputWorld,
  snapshotDatabase,
} from './support/bad-input/world';

const MUTATION_RUNS = 120;
const RANDOM_BODY_RUNS = 30;
/** Fixed, so a failure reproduces; fast-check prints the seed and the shrunk counterexample. */
const SEED = 10_2025;

/**
 * Property-based: for the money and stock endpoints, a valid body with one field turned into a
 * value that field refuses (wrong type, huge, negative or fractional number, unicode, control
 * characters, injection, over-long), and random JSON or text bodies. Each must be a 4xx with the
 * error body of API.md, a validation failure must name the field, and nothing may be written.
 */
/** A field or anything inside it: `items.0` matches `items.0` and `items.0.quantity`. */
function namePattern(fields: string[]): RegExp {
  const escaped = fields.map((field) => field.replace(/\./g, '\\.'));
  return new RegExp(`^(?:${escaped.join('|')})(?:\\.|$)`);
}

describe('bad input to the money and stock endpoints (property-based)', () => {
  let api: TestApp;
  let world: BadInputWorld;
  let before: DatabaseSnapshot;

  beforeAll(async () => {
    api = await startTestApp();
    world = await seedBadInputWorld(api);
    before = await snapshotDatabase(api);
  });
  afterAll(() => api.close());

  function send(target: MutationTarget, payload: string): Promise<LightMyRequestResponse> {
    const token = target.caller === 'anonymous' ? undefined : world.tokens[target.caller];
    return api.request({
      method: target.method,
      url: target.url,
      headers: {
        'content-type': 'application/json',
        ...target.headers(),
        ...(token ? bearer(token) : {}),
      },
      payload,
    });
  }

  describe.each(Object.keys(MUTATION_TARGETS))('%s', (name) => {
    const target = () => MUTATION_TARGETS[name](world);

    it('refuses a valid body with one field made invalid, naming that field', async () => {
      const { fields, body, conflicts = {} } = target();
      const oneBadField = fc
        .constantFrom(...Object.keys(fields))
        .chain((field) => fields[field].map((value) => ({ field, value })));
      await fc.assert(
        fc.asyncProperty(oneBadField, async ({ field, value }) => {
          const response = await send(target(), JSON.stringify(withField(body, field, value)));
          const error = expectRejected(response);
          // Every mutation is a value no request may carry: refused as such, before any
          // stock, payment or id is looked at.
          expect({ status: response.statusCode, code: error.code }).toEqual({
            status: 400,
            code: 'VALIDATION_FAILED',
          });
          expect(error.details.map((detail) => detail.field)).toContainEqual(
            expect.stringMatching(namePattern(conflicts[field] ?? [field])),
          );
        }),
        { numRuns: MUTATION_RUNS, seed: SEED },
      );
    });

    it('refuses random JSON bodies and random text', async () => {
      const declared = Object.keys(target().body);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            randomJsonBody(declared).map((value) => JSON.stringify(value)),
            randomNonObjectText,
          ),
          async (payload) => {
            expectRejected(await send(target(), payload));
          },
        ),
        { numRuns: RANDOM_BODY_RUNS, seed: SEED },
      );
    });
  });

  it('leaves every table of the database unchanged', async () => {
    expect(await snapshotDatabase(api)).toEqual(before);
  });
});
