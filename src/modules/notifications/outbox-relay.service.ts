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
import {
  deliverJobOptions,
  NOTIFICATIONS_QUEUE,
  NotificationsQueue,
  withDeadline,
} from './notifications.queue';
import { outboxSettings, OutboxSettings } from './outbox-settings';
import { Poller } from '../../common/scheduling/poller';
import { updatedRows } from './sql-results';

/** Longest one relay tick waits for Redis before giving the rows back. */
const REDIS_DEADLINE_MS = 3000;

interface RelayedRow {
  id: string;
  type: string;
  previously_relayed_at: Date | null;
}

/**
 * With REDIS_URL: moves due outbox rows into the `notifications` BullMQ queue (job id = outbox
 * id), polling every OUTBOX_POLL_MS. Runs in every API process (and in the worker): rows are
 * taken with FOR UPDATE SKIP LOCKED, so instances share the work instead of fighting over it,
 * and a row relayed twice is still one job.
 *
 * Rows are marked relayed first (one statement, no transaction held open across Redis calls),
 * then enqueued; if Redis does not take them, first-time rows are given back at once and tried
 * on the next tick. A relayed row that is still undelivered after OUTBOX_RERELAY_MS (its job was
 * lost with Redis' data, ran out of attempts, or died with its worker) is enqueued again.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly settings: OutboxSettings;
  private readonly poller: Poller;
  private redisDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(NOTIFICATIONS_QUEUE) private readonly queue: NotificationsQueue | null,
    config: ConfigService<Env, true>,
  ) {
    this.settings = outboxSettings(config);
    this.poller = new Poller(
      'Outbox relay',
      this.settings.pollMs,
      async () => (await this.relayDue()) === this.settings.batchSize,
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.queue) return;
    if (this.settings.pollMs === 0) {
      this.logger.log('OUTBOX_POLL_MS=0: the outbox relay does not run in this process');
      return;
    }
    this.poller.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** One relay pass; returns how many rows were put on the queue. */
  async relayDue(): Promise<number> {
    const queue = this.queue;
    if (!queue) throw new Error('OutboxRelay needs REDIS_URL');
    const rows = updatedRows<RelayedRow>(
      await this.dataSource.query(
        `WITH due AS (
           SELECT id, relayed_at FROM outbox
            WHERE delivered_at IS NULL AND next_attempt_at <= now()
              AND (claimed_until IS NULL OR claimed_until < now())
              AND (relayed_at IS NULL OR relayed_at < now() - $1 * interval '1 millisecond')
            ORDER BY next_attempt_at
            LIMIT $2
              FOR UPDATE SKIP LOCKED)
         UPDATE outbox SET relayed_at = now() FROM due WHERE outbox.id = due.id
         RETURNING outbox.id, outbox.type, due.relayed_at AS previously_relayed_at`,
        [this.settings.reRelayMs, this.settings.batchSize],
      ),
    );
    if (rows.length === 0) return 0;
    try {
      await withDeadline(this.enqueue(queue, rows), REDIS_DEADLINE_MS, 'Redis');
    } catch (error) {
      await this.giveBack(rows);
      if (!this.redisDown) {
        this.logger.warn(
          `Cannot reach the queue (${(error as Error).message}): ${rows.length} notification(s) stay pending and are relayed when Redis is back`,
        );
      }
      this.redisDown = true;
      return 0;
    }
    if (this.redisDown) this.logger.log('Queue reachable again: relaying pending notifications');
    this.redisDown = false;
    this.logger.debug(`Relayed ${rows.length} outbox row(s)`);
    return rows.length;
  }

  private async enqueue(queue: NotificationsQueue, rows: RelayedRow[]): Promise<void> {
    for (const row of rows.filter((candidate) => candidate.previously_relayed_at)) {
      // Relayed before and still not delivered. A job that is still waiting or delayed stays
      // (the add below is then a no-op); a finished one would block the add, so it goes.
      const job = await queue.getJob(row.id);
      const state = job ? await job.getState() : 'unknown';
      if (job && (state === 'completed' || state === 'failed')) await job.remove();
      // An active job whose row nobody leases: if its BullMQ lock has run out too, its worker
      // died mid-job (SIGKILL, OOM), and BullMQ's own stalled-job check would put it back only
      // after one to two more 30 s intervals. remove() throws for a job a live worker holds.
      if (job && state === 'active') await job.remove().catch(() => undefined);
    }
    await queue.addBulk(
      rows.map((row) => ({
        name: row.type,
        data: { outboxId: row.id },
        opts: deliverJobOptions(row.id, this.settings.backoffMs),
      })),
    );
  }

  /** First-time rows become due for the relay again at once; others wait OUTBOX_RERELAY_MS. */
  private async giveBack(rows: RelayedRow[]): Promise<void> {
    const ids = rows.filter((row) => !row.previously_relayed_at).map((row) => row.id);
    if (ids.length === 0) return;
    try {
      await this.dataSource.query(
        'UPDATE outbox SET relayed_at = NULL WHERE id = ANY($1::uuid[]) AND delivered_at IS NULL',
        [ids],
      );
    } catch (error) {
      this.logger.warn(`Could not give back relayed rows: ${(error as Error).message}`);
    }
  }
}
