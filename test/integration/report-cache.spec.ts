import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { createRedisClient } from '../../src/common/redis/redis.module';
import type { Env } from '../../src/config/env.schema';
import { ReportCache } from '../../src/modules/reports/report-cache';
import { freePort } from '../support/free-port';

const config = (seconds: number) =>
  new ConfigService({ REPORT_CACHE_SECONDS: seconds }) as unknown as ConfigService<Env, true>;
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A report computation that counts its runs and returns a fresh value each time. */
function counter() {
  let runs = 0;
  return {
    compute: async () => ({ run: ++runs, at: new Date().toISOString() }),
    get runs() {
      return runs;
    },
  };
}

describe('report cache', () => {
  describe('in memory (no REDIS_URL)', () => {
    it('serves the computed value until it expires, then computes again', async () => {
      const cache = new ReportCache(null, config(1));
      const report = counter();
      const first = await cache.remember(['summary', 'all'], report.compute);
      expect(await cache.remember(['summary', 'all'], report.compute)).toEqual(first);
      expect(report.runs).toBe(1);
      await pause(1100);
      expect(await cache.remember(['summary', 'all'], report.compute)).toMatchObject({ run: 2 });
    });

    it('keeps answers for different scopes apart', async () => {
      const cache = new ReportCache(null, config(30));
      const a = await cache.remember(['summary', 'store-a'], async () => 'A');
      const b = await cache.remember(['summary', 'store-b'], async () => 'B');
      expect([a, b]).toEqual(['A', 'B']);
      expect(ReportCache.keyOf(['summary', 'store-a'])).not.toBe(
        ReportCache.keyOf(['summary', 'store-b']),
      );
    });

    it('computes once for concurrent requests of one report', async () => {
      const cache = new ReportCache(null, config(30));
      const report = counter();
      const slow = async () => {
        await pause(50);
        return report.compute();
      };
      const answers = await Promise.all([1, 2, 3].map(() => cache.remember(['same'], slow)));
      expect(report.runs).toBe(1);
      expect(new Set(answers.map((answer) => answer.run))).toEqual(new Set([1]));
    });

    it('caches nothing when REPORT_CACHE_SECONDS is 0', async () => {
      const cache = new ReportCache(null, config(0));
      const report = counter();
      await cache.remember(['summary'], report.compute);
      await cache.remember(['summary'], report.compute);
      expect(report.runs).toBe(2);
    });
  });

  describe('in Redis', () => {
    let redis: Redis;
    beforeAll(async () => {
      redis = createRedisClient(process.env.TEST_REDIS_URL!, 'report-cache-test');
      await redis.ping();
    });
    afterAll(() => redis.quit());

    it('stores the answer under a hashed key with the configured TTL, shared by instances', async () => {
      const parts = ['summary', `scope-${Date.now()}`];
      const report = counter();
      const first = await new ReportCache(redis, config(1)).remember(parts, report.compute);
      const key = ReportCache.keyOf(parts);
      expect(key).toMatch(/^pos:report:v1:[0-9a-f]{64}$/);
      expect(await redis.pttl(key)).toBeGreaterThan(0);
      expect(await redis.pttl(key)).toBeLessThanOrEqual(1000);
      // Another API instance (another cache object) reads the same entry.
      expect(await new ReportCache(redis, config(1)).remember(parts, report.compute)).toEqual(
        first,
      );
      await pause(1100);
      expect(await new ReportCache(redis, config(1)).remember(parts, report.compute)).toMatchObject(
        {
          run: 2,
        },
      );
    });

    it('falls back to memory while Redis is unreachable', async () => {
      const down = createRedisClient(`redis://127.0.0.1:${await freePort()}`, 'report-cache-down');
      try {
        const cache = new ReportCache(down, config(30));
        const report = counter();
        await cache.remember(['summary'], report.compute);
        expect(await cache.remember(['summary'], report.compute)).toMatchObject({ run: 1 });
      } finally {
        down.disconnect();
      }
    });
  });
});
