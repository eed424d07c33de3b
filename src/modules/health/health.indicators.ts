import { Inject, Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OptionalRedis, REDIS } from '../../common/redis/redis.module';
import { NOTIFICATIONS_QUEUE, NotificationsQueue } from '../notifications/notifications.queue';
import { ShutdownState } from './shutdown-state';

const TIMEOUT_MS = 1500;

class NoAnswer extends Error {}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NoAnswer(`${what} did not answer within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The probes are public: a failure is answered in general terms ("PostgreSQL is unreachable"),
 * and the driver's own message, which can name hosts, ports and roles, goes to the log.
 */
@Injectable()
export class HealthIndicators {
  private readonly logger = new Logger(HealthIndicators.name);

  constructor(
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: OptionalRedis,
    @Inject(NOTIFICATIONS_QUEUE) private readonly notifications: NotificationsQueue | null,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The BullMQ queue exists only with REDIS_URL (embedded mode delivers in-process). */
  get hasQueue(): boolean {
    return this.notifications !== null;
  }

  /**
   * Reachable; for `/health` also writable. A read-only database (the old primary after a
   * failover, a standby named by mistake) still serves reads, so `/ready` stays up, but every
   * sale fails: monitoring must see it.
   */
  async database(requireWrites = false) {
    const check = this.indicators.check('database');
    try {
      const [{ readOnly }]: { readOnly: boolean }[] = await withTimeout(
        this.dataSource.query(
          `SELECT current_setting('transaction_read_only') = 'on' AS "readOnly"`,
        ),
        'PostgreSQL',
      );
      if (!readOnly) return check.up();
      if (requireWrites)
        return check.down({ writable: false, message: 'PostgreSQL takes no writes (read-only)' });
      return check.up({ writable: false });
    } catch (error) {
      return check.down({ message: this.failure('PostgreSQL', error) });
    }
  }

  /** Redis is optional: without REDIS_URL it is reported as not configured, which is healthy. */
  async redisServer() {
    const check = this.indicators.check('redis');
    if (!this.redis)
      return check.up({ configured: false, message: 'REDIS_URL not set: in-memory mode' });
    try {
      await withTimeout(this.redis.ping(), 'Redis');
      return check.up({ configured: true });
    } catch (error) {
      return check.down({ configured: true, message: this.failure('Redis', error) });
    }
  }

  /**
   * The `notifications` queue answers through its own connection; job counts and connected
   * workers for operators. Jobs waiting or delayed with no worker to take them is down: no
   * alert (error alerts included) goes out until a worker runs.
   */
  async queue() {
    const check = this.indicators.check('queue');
    if (!this.notifications) return check.up({ configured: false });
    try {
      const [counts, workers] = await withTimeout(
        Promise.all([
          this.notifications.getJobCounts('waiting', 'active', 'delayed', 'failed'),
          this.notifications.getWorkersCount(),
        ]),
        'The notifications queue',
      );
      const details = { name: this.notifications.name, workers, ...counts };
      // Delayed jobs (a retry after a failed send) only move on with a worker too.
      if (workers === 0 && counts.waiting + counts.delayed > 0)
        return check.down({ ...details, message: 'no worker is taking the waiting jobs' });
      return check.up(details);
    } catch (error) {
      return check.down({
        name: this.notifications.name,
        message: this.failure('The notifications queue', error),
      });
    }
  }

  async migrations() {
    const check = this.indicators.check('migrations');
    try {
      const pending = await withTimeout(this.pendingMigrations(), 'PostgreSQL');
      return pending.length === 0 ? check.up() : check.down({ pending });
    } catch (error) {
      return check.down({ message: this.failure('PostgreSQL', error) });
    }
  }

  private failure(what: string, error: unknown): string {
    const message = (error as Error).message;
    this.logger.warn(`Health check: ${what}: ${message}`);
    return error instanceof NoAnswer ? message : `${what} is unreachable`;
  }

  accepting() {
    const check = this.indicators.check('shutdown');
    return this.shutdown.isShuttingDown ? check.down({ message: 'shutting down' }) : check.up();
  }

  private async pendingMigrations(): Promise<string[]> {
    const known = this.dataSource.migrations.map(
      (migration) => migration.name ?? migration.constructor.name,
    );
    if (known.length === 0) return [];
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    const [{ exists }] = await this.dataSource.query(
      'SELECT to_regclass($1) IS NOT NULL AS exists',
      [table],
    );
    if (!exists) return known;
    const rows: { name: string }[] = await this.dataSource.query(`SELECT name FROM "${table}"`);
    const applied = new Set(rows.map((row) => row.name));
    return known.filter((name) => !applied.has(name));
  }
}
