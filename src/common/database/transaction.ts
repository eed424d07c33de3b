import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { CommitOutcomeUnknownError, DatabaseConnectionLostError } from '../errors/database-errors';

const RETRYABLE = new Map([
  ['40001', 'serialization failure'],
  ['40P01', 'deadlock detected'],
]);
export const MAX_ATTEMPTS = 3;
const logger = new Logger('Transaction');

function sqlStateOf(error: unknown): string | undefined {
  return (
    (error as { driverError?: { code?: string }; code?: string })?.driverError?.code ??
    (error as { code?: string })?.code
  );
}

export function isRetryable(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * Runs a unit of work in a transaction, and runs the whole unit again in a fresh transaction
 * when PostgreSQL aborts it for a deadlock or serialization failure (never inside the aborted
 * one). After the last attempt the original error is thrown.
 *
 * When the connection fails mid-transaction (PostgreSQL shut down, network cut), TypeORM
 * releases the query runner and drops the connection's error: the unit's next statement fails
 * with QueryRunnerAlreadyReleasedError, which says nothing about the database. The sign is that
 * the transaction could not even be rolled back; that is thrown as DatabaseConnectionLostError
 * (answered 503, like any unreachable database).
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let runner: QueryRunner | undefined;
    let committing = false;
    try {
      return await dataSource.transaction(async (manager) => {
        runner = manager.queryRunner;
        const result = await work(manager);
        committing = true; // TypeORM sends COMMIT once this returns
        return result;
      });
    } catch (error) {
      if (runner?.isTransactionActive) {
        throw committing
          ? new CommitOutcomeUnknownError(error)
          : new DatabaseConnectionLostError(error);
      }
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await retryPause(attempt, error);
    }
  }
}

/**
 * Logs the retry (a deadlock means two units take locks in different orders: worth a look even
 * when the retry succeeds), then pauses briefly, with jitter, so the colliding transactions part.
 */
export function retryPause(attempt: number, error: unknown): Promise<void> {
  logger.warn(
    `${RETRYABLE.get(sqlStateOf(error) ?? '')}: running the unit of work again (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`,
  );
  return new Promise((wait) => setTimeout(wait, 10 * attempt + Math.random() * 20));
}
