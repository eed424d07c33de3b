import type { DataSource } from 'typeorm';
import { sleep } from './eventually';

/** Resolves once at least `count` sessions of this database wait on a lock (else throws after ~5 s). */
export async function waitForLockWaiters(dataSource: DataSource, count = 1): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const [{ waiting }] = await dataSource.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (waiting >= count) return;
    await sleep(25);
  }
  throw new Error(`fewer than ${count} sessions ever waited on a lock`);
}

/**
 * Deadlocks PostgreSQL has detected in this database so far. A deadlock is retried by the
 * application, so a request may still succeed: compare this count before and after instead.
 */
export async function deadlockCount(dataSource: DataSource): Promise<number> {
  await sleep(1200); // backends report their statistics after a second idle
  const [row] = await dataSource.query(
    `SELECT deadlocks::int AS count FROM pg_stat_database WHERE datname = current_database()`,
  );
  return row.count as number;
}
