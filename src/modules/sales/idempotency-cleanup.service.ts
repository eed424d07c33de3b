import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { deleteInBatches, HourlyCleanup } from '../../common/scheduling/hourly-cleanup';
import type { Env } from '../../config/env.schema';

const BATCH = 5000;

/**
 * Removes idempotency keys older than IDEMPOTENCY_TTL_HOURS (or SALE_MAX_BACKDATE_HOURS, if
 * longer), in small batches so it never holds many row locks.
 */
@Injectable()
export class IdempotencyCleanup extends HourlyCleanup {
  private readonly ttlHours: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ConfigService<Env, true>,
  ) {
    super('Idempotency cleanup', IdempotencyCleanup.name, config);
    // A till may send a sale recorded offline until SALE_MAX_BACKDATE_HOURS after it happened,
    // and may retry it as late: its key must still be there, or the retry is a second sale.
    this.ttlHours = Math.max(
      config.get('IDEMPOTENCY_TTL_HOURS', { infer: true }),
      config.get('SALE_MAX_BACKDATE_HOURS', { infer: true }),
    );
  }

  /** Deletes expired keys; returns how many. */
  clean(): Promise<number> {
    return deleteInBatches(async () => {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) LIMIT ${BATCH}))`,
        [this.ttlHours],
      );
      return count;
    }, BATCH);
  }
}
