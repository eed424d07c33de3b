import type { DataSource } from 'typeorm';

/** Backends of this database sitting inside an export's cursor transaction (a paused download). */
export async function openExportCursors(dataSource: DataSource): Promise<number> {
  const [{ count }] = await dataSource.query(
    `SELECT count(*)::int AS count FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'idle in transaction'
        AND query LIKE 'FETCH % FROM stream_query_cursor'`,
  );
  return count as number;
}
