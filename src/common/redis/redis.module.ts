import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import type { Env } from '../../config/env.schema';

/** The shared ioredis client, or `null` when `REDIS_URL` is not set (embedded mode). */
export const REDIS = Symbol('REDIS');
export type OptionalRedis = Redis | null;

const logger = new Logger('Redis');

/** False while the client is (re)connecting: callers with a fallback should not wait for it. */
export function isRedisReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

export function createRedisClient(url: string, name: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    // A Redis outage must cost a request at most this long; callers fall back or report down.
    commandTimeout: 1000,
    // Keep reconnecting in the background; callers that need Redis fail fast meanwhile.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reported = false;
  client.on('error', (error) => {
    if (!reported) logger.warn(`Redis (${name}) unreachable: ${error.message}`);
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.log(`Redis (${name}) reachable again`);
    reported = false;
  });
  return client;
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>): OptionalRedis => {
        const url = config.get('REDIS_URL', { infer: true });
        return url ? createRedisClient(url, 'pos-api') : null;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: OptionalRedis) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready')
      await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis.disconnect();
  }
}
