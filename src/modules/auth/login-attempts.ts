import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isRedisReady, OptionalRedis, REDIS } from '../../common/redis/redis.module';
import type { Env } from '../../config/env.schema';

/** Counts failed logins per (IP, username) and locks the pair out after too many. */
interface AttemptCounter {
  lockedForMs(key: string): Promise<number>;
  /** Records a failure; returns the lockout length in ms if this failure started one, else 0. */
  fail(key: string, maxFailures: number, windowMs: number, lockMs: number): Promise<number>;
  reset(key: string): Promise<void>;
}

// KEYS[1] failures, KEYS[2] lock; ARGV max, window ms, lock ms
const FAIL_SCRIPT = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if failures >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
return 0`;

class RedisCounter implements AttemptCounter {
  constructor(private readonly redis: NonNullable<OptionalRedis>) {}

  async lockedForMs(key: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(`pos:login:lock:${key}`));
  }

  async fail(key: string, maxFailures: number, windowMs: number, lockMs: number): Promise<number> {
    const result = await this.redis.eval(
      FAIL_SCRIPT,
      2,
      `pos:login:fail:${key}`,
      `pos:login:lock:${key}`,
      maxFailures,
      windowMs,
      lockMs,
    );
    return Number(result);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`pos:login:fail:${key}`, `pos:login:lock:${key}`);
  }
}

class MemoryCounter implements AttemptCounter {
  private readonly failures = new Map<string, { count: number; expiresAt: number }>();
  private readonly locks = new Map<string, number>();

  async lockedForMs(key: string): Promise<number> {
    const until = this.locks.get(key) ?? 0;
    if (until <= Date.now()) this.locks.delete(key);
    return Math.max(0, until - Date.now());
  }

  async fail(key: string, maxFailures: number, windowMs: number, lockMs: number): Promise<number> {
    const now = Date.now();
    this.sweep(now);
    const entry = this.failures.get(key);
    const count = entry && entry.expiresAt > now ? entry.count + 1 : 1;
    if (count >= maxFailures) {
      this.failures.delete(key);
      this.locks.set(key, now + lockMs);
      return lockMs;
    }
    this.failures.set(key, {
      count,
      expiresAt: entry && entry.expiresAt > now ? entry.expiresAt : now + windowMs,
    });
    return 0;
  }

  async reset(key: string): Promise<void> {
    this.failures.delete(key);
    this.locks.delete(key);
  }

  /** Bounded memory under a password-spraying attack. */
  private sweep(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [key, entry] of this.failures) if (entry.expiresAt <= now) this.failures.delete(key);
    for (const [key, until] of this.locks) if (until <= now) this.locks.delete(key);
  }
}

/**
 * Shared by every API instance through Redis. If Redis is unreachable the counters fall back
 * to this process's memory: logins keep working (a till must be able to sign in) and are
 * still limited per instance.
 */
@Injectable()
export class LoginAttempts {
  private readonly logger = new Logger(LoginAttempts.name);
  private readonly memory = new MemoryCounter();
  private readonly shared?: RedisCounter;
  private readonly redis: OptionalRedis;
  private readonly maxFailures: number;
  private readonly lockMs: number;

  constructor(@Inject(REDIS) redis: OptionalRedis, config: ConfigService<Env, true>) {
    this.redis = redis;
    this.shared = redis ? new RedisCounter(redis) : undefined;
    this.maxFailures = config.get('LOGIN_MAX_FAILURES', { infer: true });
    this.lockMs = config.get('LOGIN_LOCKOUT_SECONDS', { infer: true }) * 1000;
  }

  lockedForMs(ip: string, username: string): Promise<number> {
    return this.use((counter) => counter.lockedForMs(keyOf(ip, username)));
  }

  failed(ip: string, username: string): Promise<number> {
    return this.use((counter) =>
      counter.fail(keyOf(ip, username), this.maxFailures, this.lockMs, this.lockMs),
    );
  }

  succeeded(ip: string, username: string): Promise<void> {
    return this.use((counter) => counter.reset(keyOf(ip, username)));
  }

  private async use<T>(work: (counter: AttemptCounter) => Promise<T>): Promise<T> {
    if (!this.shared || !this.redis || !isRedisReady(this.redis)) return work(this.memory);
    try {
      return await work(this.shared);
    } catch (error) {
      this.logger.warn(
        `Redis unavailable for login counters, using process memory: ${(error as Error).message}`,
      );
      return work(this.memory);
    }
  }
}

function keyOf(ip: string, username: string): string {
  return `${ip}|${username.toLowerCase()}`;
}
