import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Env } from '../../config/env.schema';
import { NOTIFICATIONS_QUEUE, NotificationsQueue } from './notifications.queue';
import { OutboxDelivery } from './outbox-delivery.service';
import { outboxSettings, OutboxSettings } from './outbox-settings';
import { Poller } from '../../common/scheduling/poller';

/**
 * Embedded mode (no REDIS_URL): the API process delivers outbox rows itself, polling every
 * OUTBOX_POLL_MS for rows that are due (`next_attempt_at` carries the exponential backoff) and
 * not leased, and calling the same `OutboxDelivery.deliver` the BullMQ worker calls. Several
 * API processes on one database are safe: each row is claimed before it is sent.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxDispatcher.name);
  private readonly settings: OutboxSettings;
  private readonly poller: Poller;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(NOTIFICATIONS_QUEUE) private readonly queue: NotificationsQueue | null,
    private readonly delivery: OutboxDelivery,
    config: ConfigService<Env, true>,
  ) {
    this.settings = outboxSettings(config);
    this.poller = new Poller(
      'Outbox dispatcher',
      this.settings.pollMs,
      async () => (await this.dispatchDue()) === this.settings.batchSize,
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    if (this.queue) return; // BullMQ mode: the relay and the worker deliver
    if (this.settings.pollMs === 0) {
      this.logger.log('OUTBOX_POLL_MS=0: notifications are not delivered by this process');
      return;
    }
    this.poller.start();
  }

  /** Waits for the email in hand, then stops; rows left over stay pending for the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.poller.stop();
  }

  /** One pass over the due rows; returns how many were due. */
  async dispatchDue(): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM outbox
        WHERE delivered_at IS NULL AND next_attempt_at <= now()
          AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY next_attempt_at
        LIMIT $1`,
      [this.settings.batchSize],
    );
    for (const { id } of rows) {
      if (this.stopping) break;
      try {
        await this.delivery.deliver(id);
      } catch {
        // Logged by OutboxDelivery: a failed send (next try scheduled), or a row it could not
        // claim or mark (tried again after its lease or at the next pass).
      }
    }
    return rows.length;
  }
}
