import type { DataSource, ObjectLiteral, ReplicationMode, SelectQueryBuilder } from 'typeorm';

const DEFAULT_BATCH_SIZE = 1000;

/**
 * Every row of a SQL query, read through a server-side cursor in batches, so an export of any
 * size holds one batch in memory. The cursor runs on its own connection in a read transaction,
 * released when the iteration ends, fails or is abandoned (a client that goes away
 * mid-download). Nothing is queried until the iteration starts. `mode: 'slave'` reads from a
 * replica when DATABASE_REPLICA_URLS configures one (reports), else from the primary.
 */
export async function* streamQuery<T>(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[] = [],
  batchSize = DEFAULT_BATCH_SIZE,
  mode: ReplicationMode = 'master',
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
