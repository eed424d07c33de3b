import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isRedisReady, OptionalRedis, REDIS } from '../../common/redis/redis.module';
import type { Env } from '../../config/env.schema';

const KEY_PREFIX = 'pos:report:v1:';
/** The in-process fallback holds at most this many reports (oldest dropped first). */
const MEMORY_ENTRIES = 500;

/**
 * Computed reports, kept for REPORT_CACHE_SECONDS: in Redis when it is configured and
 * reachable (shared by every API instance), in this process's memory otherwise. The key is a
 * hash of everything the answer depends on — the caller passes the report name, the normalized
 * query (resolved period, time zone, store) and the caller's visible stores — so two callers
 * share an entry only when they would get the same answer. Concurrent misses on one key in this
 * process compute once.
 */
@Injectable()
export class ReportCache {
  private readonly logger = new Logger(ReportCache.name);
  private readonly ttlSeconds: number;
  private readonly memory = new Map<string, { expiresAt: number; json: string }>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(REDIS) private readonly redis: OptionalRedis,
    config: ConfigService<Env, true>,
  ) {
    this.ttlSeconds = config.get('REPORT_CACHE_SECONDS', { infer: true });
  }

  static keyOf(parts: unknown[]): string {
    return KEY_PREFIX + createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  /** The cached value for `parts`, or `compute()`'s (then cached). Values must be plain JSON. */
  async remember<T>(parts: unknown[], compute: () => Promise<T>): Promise<T> {
    if (this.ttlSeconds === 0) return compute();
    const key = ReportCache.keyOf(parts);
    const cached = await this.read(key);
    if (cached !== undefined) return JSON.parse(cached) as T;
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const computing = compute()
      .then(async (value) => {
        await this.write(key, JSON.stringify(value));
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, computing);
    return computing;
  }

  private async read(key: string): Promise<string | undefined> {
    if (this.redis && isRedisReady(this.redis)) {
      try {
        return (await this.redis.get(key)) ?? undefined;
      } catch (error) {
        this.logger.warn(`report cache read failed, computing instead: ${String(error)}`);
        return undefined;
      }
    }
    const entry = this.memory.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.json;
    this.memory.delete(key);
    return undefined;
  }

  private async write(key: string, json: string): Promise<void> {
    if (this.redis && isRedisReady(this.redis)) {
      try {
        await this.redis.set(key, json, 'EX', this.ttlSeconds);
        return;
      } catch (error) {
        this.logger.warn(`report cache write failed: ${String(error)}`);
        return;
      }
    }
    const now = Date.now();
    for (const [stored, entry] of this.memory) {
      if (entry.expiresAt <= now || this.memory.size >= MEMORY_ENTRIES) this.memory.delete(stored);
      else break;
    }
    this.memory.delete(key);
    this.memory.set(key, { expiresAt: now + this.ttlSeconds * 1000, json });
  }
}
