import type { DataSource, ObjectLiteral, ReplicationMode, SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../errors/domain-error';

const DEFAULT_BATCH_SIZE = 1000;
/** Retry-After of an export refused for want of a slot (here, or per person in sendCsv). */
export const RETRY_EXPORT_AFTER_SECONDS = 5;

/** Streams running per data source (each holds a pooled connection while its client reads). */
const runningStreams = new WeakMap<DataSource, number>();

/** At most half the pool streams at once, so slow downloads never starve the tills. */
function streamSlots(dataSource: DataSource): number {
  const poolSize = (dataSource.options as { poolSize?: number }).poolSize ?? 10;
  return Math.max(1, Math.floor(poolSize / 2));
}

/**
 * Every row of a SQL query, read through a server-side cursor in batches, so an export of any
 * size holds one batch in memory. The cursor runs on its own connection in a read transaction,
 * released when the iteration ends, fails or is abandoned (a client that goes away
 * mid-download). Nothing is queried until the iteration starts. `mode: 'slave'` reads from a
 * replica when DATABASE_REPLICA_URLS configures one (reports), else from the primary.
 *
 * A client that reads slowly keeps the connection for as long as it takes (up to the
 * idle-in-transaction timeout), so at most half the pool streams at once; one more stream is
 * refused with 429 TOO_MANY_REQUESTS before it takes a connection.
 */
export async function* streamQuery<T>(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[] = [],
  batchSize = DEFAULT_BATCH_SIZE,
  mode: ReplicationMode = 'master',
): AsyncGenerator<T> {
  const running = runningStreams.get(dataSource) ?? 0;
  if (running >= streamSlots(dataSource)) {
    throw new DomainError(
      'TOO_MANY_REQUESTS',
      `Too many exports are running; try again in ${RETRY_EXPORT_AFTER_SECONDS} seconds`,
      [],
      { 'Retry-After': String(RETRY_EXPORT_AFTER_SECONDS) },
    );
  }
  runningStreams.set(dataSource, running + 1);
  try {
    yield* cursorRows<T>(dataSource, sql, parameters, batchSize, mode);
  } finally {
    runningStreams.set(dataSource, (runningStreams.get(dataSource) ?? 1) - 1);
  }
}

async function* cursorRows<T>(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[],
  batchSize: number,
  mode: ReplicationMode,
): AsyncGenerator<T> {
  const runner = dataSource.createQueryRunner(mode);
  try {
    await runner.startTransaction();
    await runner.query(`DECLARE stream_query_cursor NO SCROLL CURSOR FOR ${sql}`, parameters);
    for (;;) {
      const rows: T[] = await runner.query(`FETCH ${batchSize} FROM stream_query_cursor`);
      yield* rows;
      if (rows.length < batchSize) break;
    }
    await runner.commitTransaction();
  } finally {
    try {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
  }
}

/**
 * `streamQuery` for a query builder on an entity: each column is selected under its property
 * name, so a row has the entity's shape (raw values: column transformers are not applied).
 */
export function streamEntities<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  batchSize = DEFAULT_BATCH_SIZE,
): AsyncGenerator<T> {
  const alias = query.expressionMap.mainAlias;
  if (!alias?.hasMetadata) throw new Error('streamEntities needs a query on an entity');
  const rawQuery = query.clone().select([]);
  for (const column of alias.metadata.columns) {
    rawQuery.addSelect(`${alias.name}.${column.propertyName}`, column.propertyName);
  }
  const [sql, parameters] = rawQuery.getQueryAndParameters();
  return streamQuery<T>(query.dataSource, sql, parameters, batchSize);
}
