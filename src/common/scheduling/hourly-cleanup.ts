import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../../config/env.schema';
import { Poller } from './poller';

/**
 * A cleanup every API process runs at start and then hourly (not under NODE_ENV=test, where the
 * tests call `clean()` themselves). Any number of processes may run it at once; shutdown waits
 * for a run in progress, so nothing touches the database after it.
 */
export abstract class HourlyCleanup implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger: Logger;
  private readonly poller: Poller;
  private readonly scheduled: boolean;

  /** `name` for the logs (`Session cleanup`), `context` the subclass's name. */
  protected constructor(name: string, context: string, config: ConfigService<Env, true>) {
    this.logger = new Logger(context);
    this.scheduled = config.get('NODE_ENV', { infer: true }) !== 'test';
    this.poller = new Poller(
      name,
      60 * 60_000,
      async () => {
        await this.clean();
        return false;
      },
      this.logger,
    );
  }

  /** Removes everything due, in batches; returns how many rows went. */
  abstract clean(): Promise<number>;

  onApplicationBootstrap(): void {
    if (this.scheduled) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }
}

/** Runs `deleteBatch` (which deletes at most `batchSize` rows) until a batch is not full. */
export async function deleteInBatches(
  deleteBatch: () => Promise<number>,
  batchSize: number,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const count = await deleteBatch();
    removed += count;
    if (count < batchSize) return removed;
  }
}
