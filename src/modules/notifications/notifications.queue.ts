import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { JobsOptions } from 'bullmq';

/** BullMQ names shared by the relay (producer) and the worker's processor. */
export const NOTIFICATIONS_QUEUE_NAME = 'notifications';
export const QUEUE_PREFIX = 'pos';
/** Retries BullMQ makes for one job; afterwards the relay puts the row on the queue again. */
export const JOB_ATTEMPTS = 8;

/** Injection token of the producer-side queue: a `NotificationsQueue`, or null without REDIS_URL. */
export const NOTIFICATIONS_QUEUE = Symbol('NOTIFICATIONS_QUEUE');

/** Jobs carry the outbox id only; the processor reads everything else again. */
export interface DeliverJobData {
  outboxId: string;
}

export type NotificationsQueue = Queue<DeliverJobData, unknown, string>;

/** `jobId` = outbox id: adding a job whose id still exists in Redis is a no-op. */
export function deliverJobOptions(outboxId: string, backoffMs: number): JobsOptions {
  return {
    jobId: outboxId,
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: backoffMs },
    // The outbox row is the record of delivery; Redis keeps a bounded history for operators.
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
  };
}

const logger = new Logger('NotificationsQueue');

/**
 * The producer connection of the API (and of the worker's relay). Commands fail at once while
 * Redis is unreachable (`enableOfflineQueue: false`) instead of queueing in memory, so the relay
 * notices the outage, leaves rows pending and tries again on its next tick. (Before the first
 * successful connection BullMQ still waits for it; the relay bounds that wait with a timeout.)
 */
export function createNotificationsQueue(url: string): NotificationsQueue {
  const queue: NotificationsQueue = new Queue(NOTIFICATIONS_QUEUE_NAME, {
    connection: {
      url,
      connectionName: 'pos-outbox-relay',
      maxRetriesPerRequest: null,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    },
    prefix: QUEUE_PREFIX,
  });
  let reported = false;
  queue.on('error', (error) => {
    if (!reported) logger.warn(`Queue connection: ${error.message}`);
    reported = true;
  });
  return queue;
}

/** Rejects after `ms` (the operation itself may still settle later, harmlessly). */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Closes a queue's connection. BullMQ's `close()` sends QUIT and, while Redis is unreachable,
 * waits for it forever; so when Redis does not answer, the connection is dropped at once (a
 * later `close()`, e.g. by @nestjs/bullmq at shutdown, then returns immediately).
 */
export async function closeQueue(queue: Queue): Promise<void> {
  const reachable = await withDeadline(queue.getJobCounts('active'), 1000, 'Redis').then(
    () => true,
    () => false,
  );
  if (!reachable) await queue.backend.close(true);
  await withDeadline(queue.close(), 3000, 'Closing the queue').catch(() =>
    queue.backend.close(true),
  );
}
