import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Poller } from '../../common/scheduling/poller';
import type { Env } from '../../config/env.schema';

const EVERY_MS = 60 * 60_000;
const BATCH = 1000;
/** How long an ended session (and every refresh token it issued) is kept for investigation. */
export const ENDED_SESSION_RETENTION_DAYS = 30;

/**
 * Deletes sessions that ended (expired or revoked) more than ENDED_SESSION_RETENTION_DAYS ago,
 * with their refresh tokens (ON DELETE CASCADE): a till refreshing every 15 minutes adds about
 * a hundred token rows a day, and nothing else ever removes them. A live session keeps all its
 * tokens, since a rotated one presented again must still be recognised as reuse. At start and
 * then hourly, in batches; any number of API instances may run it at once. The audit log keeps
 * the sign-ins and sign-outs.
 */
@Injectable()
export class SessionCleanup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionCleanup.name);
  private readonly scheduled: boolean;
  private readonly poller: Poller;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ConfigService<Env, true>,
  ) {
    this.scheduled = config.get('NODE_ENV', { infer: true }) !== 'test';
    this.poller = new Poller(
      'Session cleanup',
      EVERY_MS,
      async () => {
        const removed = await this.removeEnded();
        if (removed > 0) this.logger.log(`Removed ${removed} ended session(s) and their tokens`);
        return false;
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    if (this.scheduled) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Deletes sessions that ended before the retention window; returns how many. */
  async removeEnded(): Promise<number> {
    let removed = 0;
    for (;;) {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM sessions WHERE id = ANY (ARRAY(
           SELECT id FROM sessions
            WHERE LEAST(revoked_at, expires_at) < now() - make_interval(days => $1)
            LIMIT ${BATCH}))`,
        [ENDED_SESSION_RETENTION_DAYS],
      );
      removed += count;
      if (count < BATCH) return removed;
    }
  }
}
