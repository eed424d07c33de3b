import { ConfigService } from '@nestjs/config';
import type { Env } from '../../config/env.schema';

/** The outbox knobs from the environment (see `.env.example`), read once per process. */
export interface OutboxSettings {
  /** 0: no background polling in this process. */
  pollMs: number;
  batchSize: number;
  backoffMs: number;
  backoffMaxMs: number;
  leaseMs: number;
  reRelayMs: number;
}

export function outboxSettings(config: ConfigService<Env, true>): OutboxSettings {
  return {
    pollMs: config.get('OUTBOX_POLL_MS', { infer: true }) ?? 0,
    batchSize: config.get('OUTBOX_BATCH_SIZE', { infer: true }),
    backoffMs: config.get('OUTBOX_BACKOFF_MS', { infer: true }),
    backoffMaxMs: config.get('OUTBOX_BACKOFF_MAX_MS', { infer: true }),
    leaseMs: config.get('OUTBOX_LEASE_MS', { infer: true }),
    reRelayMs: config.get('OUTBOX_RERELAY_MS', { infer: true }),
  };
}

/**
 * Delay before the next try after `attempts` failed ones: base, 2×base, 4×base, … capped.
 * BullMQ's `exponential` backoff with the same base gives the same delays between its retries.
 */
export function backoffDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(baseMs * 2 ** Math.min(exponent, 40), maxMs);
}
