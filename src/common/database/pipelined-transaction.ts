import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { CommitOutcomeUnknownError, DatabaseConnectionLostError } from '../errors/database-errors';
import type { ResultsOf, SqlStatement } from './sql-statement';
import { sendBatch } from './statement-batch';
import { MAX_ATTEMPTS, isRetryable, retryPause } from './transaction';

/**
 * A transaction whose statements travel in batches: the first batch carries BEGIN, the last
 * carries COMMIT, so a unit of work that needs one answer before it can decide the rest costs
 * two round trips however many statements it runs.
 */
export interface PipelinedTransaction {
  /** Runs the statements in one round trip (opening the transaction first) and returns their results. */
  send<S extends readonly SqlStatement<unknown>[]>(...statements: S): Promise<ResultsOf<S>>;
  /** Runs the statements and COMMIT in one round trip. */
  commit<S extends readonly SqlStatement<unknown>[]>(...statements: S): Promise<ResultsOf<S>>;
}

const BEGIN: SqlStatement<void> = { text: 'BEGIN', values: [], read: () => undefined };
/**
 * The batches' statements are prepared once per connection (statement-batch.ts) and are key
 * lookups whatever their parameters, but PostgreSQL keeps planning a statement with an array
 * parameter afresh on every call, since its generic plan's cost (array size unknown) never
 * looks cheaper than the custom one's. Plan each once, for this transaction only.
 */
const PLAN_ONCE: SqlStatement<void> = {
  text: 'SET LOCAL plan_cache_mode = force_generic_plan',
  values: [],
  read: () => undefined,
};
const COMMIT: SqlStatement<void> = { text: 'COMMIT', values: [], read: () => undefined };

class BatchedTransaction implements PipelinedTransaction {
  open = false;
  committed = false;
  /** COMMIT went out: from here a lost connection leaves the outcome unknown. */
  commitSent = false;

  constructor(private readonly client: PoolClient) {}

  async send<S extends readonly SqlStatement<unknown>[]>(...statements: S): Promise<ResultsOf<S>> {
    return this.run(statements, false);
  }

  async commit<S extends readonly SqlStatement<unknown>[]>(
    ...statements: S
  ): Promise<ResultsOf<S>> {
    return this.run(statements, true);
  }

  private async run<S extends readonly SqlStatement<unknown>[]>(
    statements: S,
    commit: boolean,
  ): Promise<ResultsOf<S>> {
    if (this.committed) throw new Error('The transaction has already been committed');
    const begin = this.open ? [] : [BEGIN, PLAN_ONCE];
    this.open = true;
    this.commitSent = commit;
    const results = await sendBatch(this.client, [
      ...begin,
      ...statements,
      ...(commit ? [COMMIT] : []),
    ]);
    this.committed = commit;
    return results.slice(begin.length, begin.length + statements.length) as ResultsOf<S>;
  }
}

/**
 * A statement prepared on this connection before a migration changed the type of its rows:
 * PostgreSQL refuses to run it again on this connection, so the unit runs on another one.
 */
function isStalePreparedStatement(error: unknown): boolean {
  // "cached plan must not change result type", matched by the server's function name, which
  // unlike the message is not translated.
  const { code, routine } = (error ?? {}) as { code?: string; routine?: string };
  return code === '0A000' && routine === 'RevalidateCachedQuery';
}

/**
 * The hot-path twin of inTransaction: the same retries of the whole unit on deadlock or
 * serialization failure, the same 503 when the connection fails mid-transaction, on a client
 * from TypeORM's pool (so the same connection settings), but statements are sent in batches
 * instead of one round trip each. A unit that returns without committing is rolled back. A
 * statement prepared before a migration changed its rows sends the unit to a fresh connection.
 */
export async function inPipelinedTransaction<T>(
  dataSource: DataSource,
  work: (transaction: PipelinedTransaction) => Promise<T>,
): Promise<T> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  let staleConnections = 0;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    const transaction = new BatchedTransaction(client);
    let broken: Error | undefined;
    // A checked-out client has no error listener of the pool's: without this one, a connection
    // lost between two batches would be an unhandled 'error' event and end the process.
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    try {
      const result = await work(transaction);
      if (transaction.open && !transaction.committed) await client.query('ROLLBACK');
      return result;
    } catch (error) {
      if (transaction.open && !transaction.committed) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
          throw transaction.commitSent
            ? new CommitOutcomeUnknownError(error)
            : new DatabaseConnectionLostError(error);
        }
      }
      if (isStalePreparedStatement(error)) {
        broken = error as Error; // the pool opens a new connection in its place
        if (++staleConnections <= (pool.options.max ?? 10)) continue;
      }
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await retryPause(attempt, error);
    } finally {
      client.removeListener('error', onConnectionError);
      client.release(broken);
    }
  }
}
