import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvFile } from './src/config/env-file';
import { buildDataSourceOptions } from './src/database/data-source-options';

// The TypeORM CLI's data source (migration:run / migration:revert). It reads DATABASE_URL, from
// the environment or `.env` as the API does; while `npm start` runs on the embedded default
// that is postgres://postgres@127.0.0.1:54329/pos
loadEnvFile();
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error(
    'DATABASE_URL is not set. For the embedded database of `npm start` use postgres://postgres@127.0.0.1:54329/pos',
  );
}

// No statement timeout: building an index or backfilling a column on a large table runs
// longer than a request may. The lock timeout stays, so a migration waiting behind the tills'
// transactions fails instead of queueing every till behind its lock request.
export default new DataSource(buildDataSourceOptions({ url, statementTimeoutMs: 0 }));
