import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Env } from '../../config/env.schema';
import { outboxSettings } from './outbox-settings';
import { Poller } from '../../common/scheduling/poller';
import { updatedRows } from './sql-results';

const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 1000;

/**
 * Deletes outbox rows delivered more than OUTBOX_RETENTION_DAYS ago, hourly, in every process
 * that polls the outbox (0 keeps them forever). A pending or failing row is never deleted, and a
 * job that BullMQ runs again for a pruned row finds it `missing` and sends nothing. Batches are
 * taken with SKIP LOCKED, so several processes prune side by side.
 */
@Injectable()
export class OutboxPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxPruner.name);
  private readonly retentionDays: number;
  private readonly polling: boolean;
  private readonly poller: Poller;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ConfigService<Env, true>,
  ) {
    this.retentionDays = config.get('OUTBOX_RETENTION_DAYS', { infer: true });
    this.polling = outboxSettings(config).pollMs > 0;
    this.poller = new Poller(
      'Outbox pruning',
      PRUNE_EVERY_MS,
      async () => (await this.pruneDelivered()) === PRUNE_BATCH,
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    if (this.polling && this.retentionDays > 0) this.poller.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Deletes one batch of rows delivered before the retention period; returns how many. */
  async pruneDelivered(): Promise<number> {
    if (this.retentionDays === 0) return 0;
    const deleted = updatedRows<{ id: string }>(
      await this.dataSource.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox
            WHERE delivered_at < now() - $1 * interval '1 day'
            ORDER BY delivered_at
            LIMIT $2
              FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [this.retentionDays, PRUNE_BATCH],
      ),
    );
    if (deleted.length > 0) {
      this.logger.log(
        `Deleted ${deleted.length} outbox row(s) delivered more than ${this.retentionDays} day(s) ago`,
      );
    }
    return deleted.length;
  }
}
