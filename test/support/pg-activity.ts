import { Logger } from '@nestjs/common';
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
 * Counts, from now on, the units of work the application ran again after PostgreSQL aborted
 * them for a deadlock (inTransaction and inPipelinedTransaction log each retry). A retried
 * request may still succeed, so this is how a test sees a deadlock. PostgreSQL's own counter
 * (pg_stat_database.deadlocks) is no help: a backend may hold its statistics back for 10 s.
 */
export function countDeadlockRetries(): { count: () => number; stop: () => void } {
  const warned = jest.spyOn(Logger.prototype, 'warn');
  return {
    count: () =>
      warned.mock.calls.filter(([message]) => /^deadlock detected: running/.test(String(message)))
        .length,
    stop: () => warned.mockRestore(),
  };
}

/**
 * Makes concurrent requests surely overlap: holds a lock (`lockSql`, in a transaction of its
 * own), starts `requests`, and releases the lock only once `waiters` sessions wait on it. Two
 * requests that merely run "at the same time" may well run one after the other, and then a
 * test of their race passes whatever the locking does.
 */
export async function whileLocked<T>(
  dataSource: DataSource,
  lockSql: string,
  parameters: unknown[],
  waiters: number,
  requests: () => Promise<T>,
): Promise<T> {
  const blocker = dataSource.createQueryRunner();
  await blocker.connect();
  try {
    await blocker.startTransaction();
    await blocker.query(lockSql, parameters);
    const pending = requests();
    pending.catch(() => undefined); // awaited below; not unhandled if the wait fails first
    await waitForLockWaiters(dataSource, waiters);
    await blocker.commitTransaction();
    return await pending;
  } finally {
    if (blocker.isTransactionActive) await blocker.rollbackTransaction();
    await blocker.release();
  }
}
