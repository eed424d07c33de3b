import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { normalizeIp } from '@nestjs/throttler';
import { isRedisReady, OptionalRedis, REDIS } from '../../common/redis/redis.module';
import type { Env } from '../../config/env.schema';

/** How long a caller waits when every attempt left before a lockout is already in flight. */
const BUSY_RETRY_MS = 1000;
/**
 * An attempt that never reported back (its process died, or Redis came and went between its
 * start and its end) stops counting at most this long after the first of the attempts in
 * flight began: retries do not extend it.
 */
const IN_FLIGHT_TTL_MS = 60_000;

interface Limits {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/**
 * Counts failed password checks per (IP, username) and locks the pair out after too many.
 * An attempt is reserved before its password is checked: failures plus attempts in flight never
 * exceed the limit, so a burst of concurrent guesses gets no more tries than a sequence does.
 */
interface AttemptCounter {
  /** 0: go ahead (one attempt reserved); otherwise ms to wait (locked out, or all tries taken). */
  begin(key: string, limits: Limits): Promise<number>;
  /** Ends the reservation as a failure; returns the lockout length in ms if it started one. */
  fail(key: string, limits: Limits): Promise<number>;
  /** Ends the reservation as a success: the pair's failures are forgotten. */
  succeed(key: string): Promise<void>;
  /** Ends the reservation without a verdict (the check itself failed, e.g. the database). */
  abandon(key: string): Promise<void>;
}

const keys = (key: string) => [
  `pos:login:fail:${key}`,
  `pos:login:lock:${key}`,
  `pos:login:inflight:${key}`,
];

// KEYS failures, lock, in flight; ARGV max failures, busy retry ms, in-flight ttl ms
const BEGIN_SCRIPT = `
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
local inflight = redis.call('INCR', KEYS[3])
if inflight == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
if failures + inflight > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[3])
  return tonumber(ARGV[2])
end
return 0`;

// KEYS failures, lock, in flight; ARGV max failures, window ms, lock ms
const FAIL_SCRIPT = `
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if failures >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
return 0`;

// KEYS failures, lock, in flight; ARGV 1: forget the failures (a success)
const END_SCRIPT = `
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
if ARGV[1] == '1' then redis.call('DEL', KEYS[1], KEYS[2]) end
return 0`;

class RedisCounter implements AttemptCounter {
  constructor(private readonly redis: NonNullable<OptionalRedis>) {}

  async begin(key: string, limits: Limits): Promise<number> {
    return Number(
      await this.redis.eval(
        BEGIN_SCRIPT,
        3,
        ...keys(key),
        limits.maxFailures,
        BUSY_RETRY_MS,
        IN_FLIGHT_TTL_MS,
      ),
    );
  }

  async fail(key: string, limits: Limits): Promise<number> {
    return Number(
      await this.redis.eval(
        FAIL_SCRIPT,
        3,
        ...keys(key),
        limits.maxFailures,
        limits.windowMs,
        limits.lockMs,
      ),
    );
  }

  async succeed(key: string): Promise<void> {
    await this.redis.eval(END_SCRIPT, 3, ...keys(key), '1');
  }

  async abandon(key: string): Promise<void> {
    await this.redis.eval(END_SCRIPT, 3, ...keys(key), '0');
  }
}

class MemoryCounter implements AttemptCounter {
  private readonly failures = new Map<string, { count: number; expiresAt: number }>();
  private readonly locks = new Map<string, number>();
  private readonly inFlight = new Map<string, { count: number; expiresAt: number }>();

  async begin(key: string, limits: Limits): Promise<number> {
    const now = Date.now();
    this.sweep(now);
    const lockedMs = (this.locks.get(key) ?? 0) - now;
    if (lockedMs > 0) return lockedMs;
    const current = this.inFlightOf(key, now);
    if (this.failuresOf(key, now) + current.count + 1 > limits.maxFailures) return BUSY_RETRY_MS;
    this.inFlight.set(key, { count: current.count + 1, expiresAt: current.expiresAt });
    return 0;
  }

  async fail(key: string, limits: Limits): Promise<number> {
    this.release(key);
    const now = Date.now();
    const count = this.failuresOf(key, now) + 1;
    if (count >= limits.maxFailures) {
      this.failures.delete(key);
      this.locks.set(key, now + limits.lockMs);
      return limits.lockMs;
    }
    const expiresAt = this.failures.get(key)?.expiresAt;
    this.failures.set(key, {
      count,
      expiresAt: expiresAt && expiresAt > now ? expiresAt : now + limits.windowMs,
    });
    return 0;
  }

  async succeed(key: string): Promise<void> {
    this.release(key);
    this.failures.delete(key);
    this.locks.delete(key);
  }

  async abandon(key: string): Promise<void> {
    this.release(key);
  }

  private failuresOf(key: string, now: number): number {
    const entry = this.failures.get(key);
    return entry && entry.expiresAt > now ? entry.count : 0;
  }

  private inFlightOf(key: string, now: number): { count: number; expiresAt: number } {
    const entry = this.inFlight.get(key);
    return entry && entry.expiresAt > now ? entry : { count: 0, expiresAt: now + IN_FLIGHT_TTL_MS };
  }

  private release(key: string): void {
    const entry = this.inFlightOf(key, Date.now());
    if (entry.count > 1) this.inFlight.set(key, { ...entry, count: entry.count - 1 });
    else this.inFlight.delete(key);
  }

  /** Bounded memory under a password-spraying attack. */
  private sweep(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [key, entry] of this.failures) if (entry.expiresAt <= now) this.failures.delete(key);
    for (const [key, until] of this.locks) if (until <= now) this.locks.delete(key);
    for (const [key, entry] of this.inFlight) if (entry.expiresAt <= now) this.inFlight.delete(key);
  }
}

/**
 * Shared by every API instance through Redis. If Redis is unreachable the counters fall back
 * to this process's memory: logins keep working (a till must be able to sign in) and are
 * still limited per instance.
 *
 * Every password check (sign-in, password change) runs between `begin` and exactly one of
 * `failed`, `succeeded` or `abandoned`.
 */
@Injectable()
export class LoginAttempts {
  private readonly logger = new Logger(LoginAttempts.name);
  private readonly memory = new MemoryCounter();
  private readonly shared?: RedisCounter;
  private readonly redis: OptionalRedis;
  private readonly limits: Limits;

  constructor(@Inject(REDIS) redis: OptionalRedis, config: ConfigService<Env, true>) {
    this.redis = redis;
    this.shared = redis ? new RedisCounter(redis) : undefined;
    const lockMs = config.get('LOGIN_LOCKOUT_SECONDS', { infer: true }) * 1000;
    this.limits = {
      maxFailures: config.get('LOGIN_MAX_FAILURES', { infer: true }),
      windowMs: lockMs,
      lockMs,
    };
  }

  /** 0 when the check may go ahead, otherwise how long to wait (answered as 429). */
  begin(ip: string, username: string): Promise<number> {
    return this.use((counter) => counter.begin(keyOf(ip, username), this.limits));
  }

  failed(ip: string, username: string): Promise<number> {
    return this.use((counter) => counter.fail(keyOf(ip, username), this.limits));
  }

  succeeded(ip: string, username: string): Promise<void> {
    return this.use((counter) => counter.succeed(keyOf(ip, username)));
  }

  abandoned(ip: string, username: string): Promise<void> {
    return this.use((counter) => counter.abandon(keyOf(ip, username)));
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

/**
 * An IPv6 client counts by its /64, as the per-IP throttler counts it: one subscriber or
 * server usually holds a whole /64, and could otherwise take five tries per address.
 */
function keyOf(ip: string, username: string): string {
  return `${normalizeIp(ip)}|${username.toLowerCase()}`;
}
