import type { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import type { PrivateRedis } from './redis-server';

/** What global setup started, for global teardown to stop (both run in Jest's parent process). */
export const testState: {
  embedded?: { server: EmbeddedPostgres; dir: string };
  redis?: PrivateRedis;
} = ((globalThis as Record<string, unknown>).__posTestState ??= {}) as never;
