import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { deleteInBatches, HourlyCleanup } from '../../common/scheduling/hourly-cleanup';
import type { Env } from '../../config/env.schema';

// Each session takes its refresh tokens with it: a till refreshing every 15 minutes for a
// 14-day session leaves about 1,300, so a batch of 50 sessions deletes some 65,000 rows.
const BATCH = 50;
/** How long an ended session (and every refresh token it issued) is kept for investigation. */
export const ENDED_SESSION_RETENTION_DAYS = 30;

/**
 * Deletes sessions that ended (expired or revoked) more than ENDED_SESSION_RETENTION_DAYS ago,
 * with their refresh tokens (ON DELETE CASCADE): a till refreshing every 15 minutes adds about
 * a hundred token rows a day, and nothing else ever removes them. A live session keeps all its
 * tokens, since a rotated one presented again must still be recognised as reuse. The audit log
 * keeps the sign-ins and sign-outs.
 */
@Injectable()
export class SessionCleanup extends HourlyCleanup {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ConfigService<Env, true>,
  ) {
    super('Session cleanup', SessionCleanup.name, config);
  }

  async clean(): Promise<number> {
    const removed = await deleteInBatches(async () => {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM sessions WHERE id = ANY (ARRAY(
           SELECT id FROM sessions
            WHERE LEAST(revoked_at, expires_at) < now() - make_interval(days => $1)
            LIMIT ${BATCH}))`,
        [ENDED_SESSION_RETENTION_DAYS],
      );
      return count;
    }, BATCH);
    if (removed > 0) this.logger.log(`Removed ${removed} ended session(s) and their tokens`);
    return removed;
  }
}
