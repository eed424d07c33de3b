import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type Redis from 'ioredis';
import type { Env } from '../../config/env.schema';
import { OptionalRedis, REDIS } from './redis.module';

const CHANNEL = 'pos:invalidate';
/**
 * A subscribing connection only receives, so a flow that a NAT or load balancer silently
 * dropped would look healthy for hours (TCP keepalive): it is pinged this often, and a ping
 * unanswered within the command timeout counts as the subscription lost.
 */
const HEARTBEAT_MS = 5000;
/** A broadcast that failed is tried again this often, for as long as a cache could hold the row. */
const REBROADCAST_MS = 500;

export type InvalidationTopic = 'session' | 'user' | 'store';

interface Listener {
  /** One entry changed: drop it. */
  invalidate(topic: InvalidationTopic, key: string): void;
  /** Invalidations may have been missed: drop everything. */
  reset(): void;
}

/**
 * Tells every API process that a cached row changed, so that per-process caches (the session
 * principal, stores) can skip the database without serving stale rights. With Redis the
 * message goes through pub/sub to every instance; a process whose subscription is down is
 * `reliable: false`, and its caches must not be used (they are emptied when it returns,
 * because messages may have been lost meanwhile). Without Redis (the embedded default) the
 * API is a single process, and delivering in process is enough.
 *
 * A broadcast that fails is tried again until it lands or LOCAL_CACHE_SECONDS have passed (by
 * then no other process still holds the old row).
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly listeners: Listener[] = [];
  private subscriber?: Redis;
  private subscribed = false;
  /** Bumped on every invalidation: a read that started before it must not be cached. */
  private generation = 0;
  private heartbeat?: NodeJS.Timeout;
  private stopped = false;
  private readonly cacheTtlMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: OptionalRedis,
    config: ConfigService<Env, true>,
  ) {
    this.cacheTtlMs = config.get('LOCAL_CACHE_SECONDS', { infer: true }) * 1000;
  }

  get reliable(): boolean {
    return this.redis ? this.subscribed : true;
  }

  /** A stamp to take before reading a row to cache; see `unchangedSince`. */
  get stamp(): number {
    return this.generation;
  }

  /** No invalidation arrived since `stamp` was taken (so the row read meanwhile may be cached). */
  unchangedSince(stamp: number): boolean {
    return this.reliable && this.generation === stamp;
  }

  listen(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Call after the change committed; this process forgets at once, the others in a moment. */
  async publish(topic: InvalidationTopic, key: string): Promise<void> {
    this.deliver(topic, key);
    if (!this.redis) return;
    const message = JSON.stringify({ topic, key });
    const failure = await this.broadcast(this.redis, message);
    if (failure === undefined) return;
    this.logger.warn(`invalidation of ${topic} ${key} not broadcast yet (${failure}); retrying`);
    void this.rebroadcast(this.redis, message, Date.now() + this.cacheTtlMs);
  }

  /** Undefined once sent, else why not. */
  private broadcast(redis: Redis, message: string): Promise<string | undefined> {
    return redis.publish(CHANNEL, message).then(
      () => undefined,
      (error: Error) => error.message,
    );
  }

  private async rebroadcast(redis: Redis, message: string, until: number): Promise<void> {
    while (!this.stopped && Date.now() < until) {
      await new Promise((wait) => setTimeout(wait, REBROADCAST_MS).unref());
      if ((await this.broadcast(redis, message)) === undefined) {
        this.logger.log(`invalidation ${message} broadcast after retrying`);
        return;
      }
    }
    if (!this.stopped) this.logger.warn(`invalidation ${message} never broadcast; caches expired`);
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis || this.listeners.length === 0) return;
    // A subscribing connection can do nothing else. Its outages are logged by the main client.
    const subscriber = this.redis.duplicate({ connectionName: 'pos-invalidation' });
    subscriber.on('error', () => undefined);
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
      const { topic, key } = JSON.parse(message) as { topic: InvalidationTopic; key: string };
      this.deliver(topic, key);
    });
    const lost = () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      this.resetAll();
    };
    subscriber.on('close', lost);
    subscriber.on('reconnecting', lost);
    this.heartbeat = setInterval(() => {
      if (!this.subscribed) return;
      subscriber.ping().catch((error: Error) => {
        if (!this.subscribed) return;
        this.logger.warn(`invalidation channel silent (${error.message}); reconnecting`);
        lost();
        subscriber.disconnect(true);
      });
    }, HEARTBEAT_MS).unref();
    subscriber.on('ready', () => {
      // ioredis re-subscribes on reconnect; the caches start empty again.
      subscriber.subscribe(CHANNEL).then(
        () => {
          this.resetAll();
          this.subscribed = true;
        },
        () => undefined,
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.subscribed = false;
    this.subscriber?.disconnect();
  }

  private deliver(topic: InvalidationTopic, key: string): void {
    this.generation++;
    for (const listener of this.listeners) listener.invalidate(topic, key);
  }

  private resetAll(): void {
    this.generation++;
    for (const listener of this.listeners) listener.reset();
  }
}

/** Global, next to RedisModule, in the API's root module and the worker's. */
@Global()
@Module({ providers: [InvalidationBus], exports: [InvalidationBus] })
export class InvalidationModule {}
