import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Poller } from '../../common/scheduling/poller';
import type { Env } from '../../config/env.schema';

const EVERY_MS = 60 * 60_000;
const BATCH = 5000;

/**
 * Removes idempotency keys older than IDEMPOTENCY_TTL_HOURS (or SALE_MAX_BACKDATE_HOURS, if
 * longer), at start and then hourly, in small
 * batches so it never holds many row locks. Any number of API instances may run it at once.
 */
@Injectable()
export class IdempotencyCleanup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyCleanup.name);
  private readonly ttlHours: number;
  private readonly scheduled: boolean;
  private readonly poller: Poller;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ConfigService<Env, true>,
  ) {
    // A till may send a sale recorded offline until SALE_MAX_BACKDATE_HOURS after it happened,
    // and may retry it as late: its key must still be there, or the retry is a second sale.
    this.ttlHours = Math.max(
      config.get('IDEMPOTENCY_TTL_HOURS', { infer: true }),
      config.get('SALE_MAX_BACKDATE_HOURS', { infer: true }),
    );
    this.scheduled = config.get('NODE_ENV', { infer: true }) !== 'test';
    this.poller = new Poller(
      'Idempotency cleanup',
      EVERY_MS,
      async () => {
        await this.removeExpired(); // batch after batch, until none is full
        return false;
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    if (this.scheduled) this.poller.start();
  }

  /** Waits for a cleanup in progress, so nothing touches the database after shutdown. */
  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Deletes expired keys; returns how many. */
  async removeExpired(): Promise<number> {
    let removed = 0;
    for (;;) {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) LIMIT ${BATCH}))`,
        [this.ttlHours],
      );
      removed += count;
      if (count < BATCH) return removed;
    }
  }
}
