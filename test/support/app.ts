import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ModuleMetadata } from '@nestjs/common';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createApp } from '../../src/app.factory';
import { createTestDatabase, TestDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  database: TestDatabase;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string | undefined>;
  /** Modules only a test needs (e.g. a controller that throws on purpose). */
  imports?: ModuleMetadata['imports'];
  /** Use this database URL instead of a fresh clone (the clone is still made and dropped). */
  databaseUrl?: (database: TestDatabase) => string | Promise<string>;
}

/** Boots the real application (same factory as `main.ts`) on its own cloned database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl ? await options.databaseUrl(database) : database.url,
    REDIS_URL: process.env.TEST_REDIS_URL,
    DATABASE_MIGRATIONS_RUN: 'false',
    DATABASE_POOL_SIZE: '5',
    // Every test file signs in from 127.0.0.1 against one Redis; tests of this limit set their own.
    LOGIN_IP_LIMIT: '100000',
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const app = await createApp({ imports: options.imports });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    database,
    request: (request) => app.inject(request),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
