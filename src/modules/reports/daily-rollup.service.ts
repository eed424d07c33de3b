import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Poller } from '../../common/scheduling/poller';
import type { Env } from '../../config/env.schema';
import { DELETE_STALE_DAYS, ROLL_UP_STORE } from './report-sql';

/** pg advisory lock key: one API instance rolls up at a time. */
const ROLLUP_LOCK = 7_358_120_041;
/** Days one store rolls up per statement, so a first backfill runs in short steps. */
const DAYS_PER_STEP = 31;

/**
 * Keeps report_daily_sales up to date: every REPORT_ROLLUP_INTERVAL_MS it writes one row per
 * store and closed local day (a day that ended more than SALE_MAX_BACKDATE_HOURS ago, so no
 * sale can be dated into it any more), and drops rows made under a time zone the store no
 * longer has or a shorter backdating window. The reports read closed days from there and
 * aggregate only the open days live, so a month costs the same on 1 or 100 million lines.
 * Runs on the primary, one short transaction per store and step, under an advisory lock.
 */
@Injectable()
export class DailyRollupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DailyRollupService.name);
  private readonly intervalMs: number;
  private readonly backdateHours: number;
  private readonly poller: Poller;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ConfigService<Env, true>,
  ) {
    this.intervalMs = config.get('REPORT_ROLLUP_INTERVAL_MS', { infer: true }) ?? 0;
    this.backdateHours = config.get('SALE_MAX_BACKDATE_HOURS', { infer: true });
    this.poller = new Poller('Daily rollup', this.intervalMs, () => this.rollUp(), this.logger);
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs > 0) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.poller.stop();
  }

  /**
   * One pass over every store (at most DAYS_PER_STEP days each). Returns true when some store
   * has more closed days waiting, false when all are rolled up or another instance holds the lock.
   */
  async rollUp(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner('master');
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [
        ROLLUP_LOCK,
      ]);
      if (!locked) return false;
      try {
        const stores: { id: string }[] = await runner.query(`SELECT id FROM stores ORDER BY id`);
        let more = false;
        for (const { id } of stores) {
          // Holding the store row: a time zone change waits for this store's step, or this
          // step for the change, never one in between.
          await runner.startTransaction();
          try {
            await runner.query(`SELECT 1 FROM stores WHERE id = $1 FOR SHARE`, [id]);
            await runner.query(DELETE_STALE_DAYS, [this.backdateHours, id]);
            const written = await runner.query(ROLL_UP_STORE, [
              id,
              this.backdateHours,
              DAYS_PER_STEP,
            ]);
            await runner.commitTransaction();
            if (written.length === DAYS_PER_STEP) more = true;
          } catch (error) {
            await runner.rollbackTransaction();
            throw error;
          }
        }
        return more;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [ROLLUP_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Rolls up until nothing closed is left (a first backfill, or the benchmark). */
  async rollUpAll(): Promise<void> {
    while (await this.rollUp()) {
      if (this.stopped) return;
    }
  }
}
