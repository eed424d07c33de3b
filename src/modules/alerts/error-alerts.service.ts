import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { inTransaction } from '../../common/database/transaction';
import { isRedisReady, OptionalRedis, REDIS } from '../../common/redis/redis.module';
import type { Env } from '../../config/env.schema';
import { NothingToSend, OutboxComposers } from '../notifications/outbox-composers';
import type { ErrorAlertPayload } from '../notifications/outbox-message';
import { OutboxService } from '../notifications/outbox.service';
import { renderErrorAlertEmail } from './error-alert-email';
import {
  ALERT_WINDOW_MS,
  LocalThrottle,
  summarizeError,
  ThrottleDecision,
} from './error-fingerprint';

/** Where an error happened: the request (HTTP) or the job (worker). */
export interface ErrorContext {
  source: string;
  requestId?: string | null;
}

/** Unreported occurrences are remembered this long (the count of the next alert). */
const PENDING_TTL_MS = 24 * 3600 * 1000;

/**
 * Same rules as `LocalThrottle`, atomically in Redis, so every API and worker instance shares one
 * window per fingerprint. KEYS: gate (SET NX PX), pending occurrences (hash count/firstSeen).
 * ARGV: window ms, now (ISO), pending ttl ms. Returns {count, firstSeen} to send, or nil.
 */
const THROTTLE_SCRIPT = `
local count = redis.call('HINCRBY', KEYS[2], 'count', 1)
redis.call('HSETNX', KEYS[2], 'firstSeen', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then
  local firstSeen = redis.call('HGET', KEYS[2], 'firstSeen')
  redis.call('DEL', KEYS[2])
  return {count, firstSeen}
end
return nil`;

/**
 * Emails ADMIN_EMAILS about unhandled errors in production: HTTP 500s (AllExceptionsFilter) and
 * jobs that failed their last attempt (NotificationsProcessor). At most one email per distinct
 * error (fingerprint) per 10 minutes, across instances while Redis is up (per process while it
 * is not). The alert is an outbox row of type `error_alert`, delivered like every notification.
 * `report` never throws and never delays the caller's response beyond its own promise.
 */
@Injectable()
export class ErrorAlerts implements OnModuleInit {
  private readonly logger = new Logger(ErrorAlerts.name);
  private readonly local = new LocalThrottle(ALERT_WINDOW_MS);
  private readonly adminEmails: string[];
  readonly enabled: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly composers: OutboxComposers,
    @Inject(REDIS) private readonly redis: OptionalRedis,
    config: ConfigService<Env, true>,
  ) {
    this.adminEmails = config.get('ADMIN_EMAILS', { infer: true }) ?? [];
    this.enabled =
      config.get('NODE_ENV', { infer: true }) === 'production' && this.adminEmails.length > 0;
  }

  onModuleInit(): void {
    this.composers.register('error_alert', async (payload, createdAt) => {
      if (this.adminEmails.length === 0) return new NothingToSend('ADMIN_EMAILS is empty');
      return { ...renderErrorAlertEmail(payload, createdAt), to: this.adminEmails };
    });
  }

  /** @returns the outbox id of the alert written, or null (disabled, throttled or failed). */
  async report(error: unknown, context: ErrorContext): Promise<string | null> {
    if (!this.enabled) return null;
    try {
      const summary = summarizeError(error);
      const decision = await this.throttle(summary.fingerprint);
      if (!decision.send) return null;
      const payload: ErrorAlertPayload = {
        fingerprint: summary.fingerprint,
        message: summary.message,
        count: decision.count,
        firstSeen: decision.firstSeen.toISOString(),
        requestId: context.requestId ?? null,
        source: context.source,
        frame: summary.frame,
        host: hostname(),
      };
      // Outside any business transaction (the one that failed has rolled back): its own.
      return await inTransaction(this.dataSource, (manager) =>
        this.outbox.add(manager, { type: 'error_alert', payload }),
      );
    } catch (failure) {
      // The admins get no email for this error: the log is all there is.
      this.logger.error(`Could not record an error alert: ${(failure as Error).message}`);
      return null;
    }
  }

  private async throttle(fingerprint: string): Promise<ThrottleDecision> {
    const redis = this.redis;
    if (redis && isRedisReady(redis)) {
      try {
        const keys = [
          `pos:error-alert:{${fingerprint}}:gate`,
          `pos:error-alert:{${fingerprint}}:pending`,
        ];
        const result = (await redis.eval(
          THROTTLE_SCRIPT,
          keys.length,
          ...keys,
          ALERT_WINDOW_MS,
          new Date().toISOString(),
          PENDING_TTL_MS,
        )) as [number, string] | null;
        return result
          ? { send: true, count: Number(result[0]), firstSeen: new Date(result[1]) }
          : { send: false };
      } catch {
        // Redis went away meanwhile: this process decides alone.
      }
    }
    return this.local.hit(fingerprint, Date.now());
  }
}
