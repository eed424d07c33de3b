import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, Optional } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ErrorAlerts } from '../alerts/error-alerts.service';
import {
  closeQueue,
  DeliverJobData,
  NOTIFICATIONS_QUEUE_NAME,
  NotificationsQueue,
  withDeadline,
} from './notifications.queue';
import { DeliveryOutcome, OutboxDelivery } from './outbox-delivery.service';

/** After the job in hand is done, how long to wait for BullMQ to acknowledge it to Redis. */
const ACK_GRACE_MS = 5000;

/**
 * The worker side of the queue (WorkerModule only): each job is one outbox id, delivered by
 * the same `OutboxDelivery.deliver` the embedded dispatcher uses. BullMQ may run a job twice (a
 * stalled job, a re-relay); `deliver` claims the row first, so a duplicate finds it delivered.
 */
@Processor(NOTIFICATIONS_QUEUE_NAME, { concurrency: 4 })
export class NotificationsProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationsProcessor.name);
  private readonly inHand = new Set<Promise<unknown>>();
  private lastConnectionWarning = 0;

  constructor(
    private readonly delivery: OutboxDelivery,
    @InjectQueue(NOTIFICATIONS_QUEUE_NAME) private readonly queue: NotificationsQueue,
    @Optional() private readonly alerts?: ErrorAlerts,
  ) {
    super();
    queue.on('error', (error) => this.connectionError(error));
  }

  /** BullMQ reconnects by itself: warn at most once a minute instead of on every retry. */
  @OnWorkerEvent('error')
  connectionError(error: Error): void {
    if (Date.now() - this.lastConnectionWarning < 60_000) return;
    this.lastConnectionWarning = Date.now();
    this.logger.warn(`Queue: ${error.message} (BullMQ keeps reconnecting)`);
  }

  /**
   * BullMQ emits `failed` after every failed attempt; after the last one the admins are alerted
   * (production). Not for the alerts' own jobs: a mail server that is down would only feed them.
   */
  @OnWorkerEvent('failed')
  jobFailed(job: Job<DeliverJobData> | undefined, error: Error): void {
    if (!job || job.name === 'error_alert') return;
    const final =
      error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    void this.alerts?.report(error, {
      source: `job ${job.name} (outbox ${job.data.outboxId}, ${job.attemptsMade} attempts)`,
    });
  }

  async process(job: Job<DeliverJobData>): Promise<DeliveryOutcome> {
    const work = this.delivery.deliver(job.data.outboxId);
    this.inHand.add(work);
    try {
      const outcome = await work;
      // Another sender holds the lease (e.g. a stalled copy of this job that is in fact still
      // running): fail this attempt so BullMQ comes back after the backoff and finds it settled.
      if (outcome === 'busy')
        throw new Error(`outbox ${job.data.outboxId} is being sent by another sender`);
      return outcome;
    } finally {
      this.inHand.delete(work);
    }
  }

  /**
   * Graceful stop, before any `onApplicationShutdown` hook (where @nestjs/bullmq closes workers,
   * in no fixed order with TypeORM closing the DataSource): stop taking jobs and let the ones in
   * hand finish, database update included. `worker.close()` does exactly that, but never returns
   * while Redis is unreachable; then we wait for our jobs ourselves and close without waiting for
   * BullMQ to acknowledge them (an unacknowledged job runs again and finds its row delivered).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (await this.redisAnswers()) {
      const closing = this.worker.close().then(() => true);
      const jobsDone = this.jobsInHandDone().then(() => sleep(ACK_GRACE_MS).then(() => false));
      if (!(await Promise.race([closing, jobsDone]))) {
        this.logger.warn('BullMQ did not close (Redis went away?); the jobs in hand are finished');
      }
      return;
    }
    this.logger.warn('Redis unreachable: finishing the jobs in hand, then closing the worker');
    await this.jobsInHandDone();
    await this.worker.close(true);
    await closeQueue(this.queue); // so that its close() at shutdown does not wait for Redis
  }

  private jobsInHandDone(): Promise<unknown> {
    return Promise.allSettled([...this.inHand]);
  }

  private async redisAnswers(): Promise<boolean> {
    try {
      await withDeadline(this.queue.getJobCounts('active'), 1000, 'Redis');
      return true;
    } catch {
      return false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}
