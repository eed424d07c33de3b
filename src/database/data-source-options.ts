import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TypeOrmLogger } from './typeorm-logger';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** Read replicas: only query runners created with mode 'slave' (the reports) use them. */
  replicaUrls?: string[];
  migrationsRun?: boolean;
  applicationName?: string;
  /** TypeORM's own console logging of failed queries and migrations. */
  logging?: boolean;
}

const root = join(__dirname, '..', '..');

/** Entities are found by file name, so the app, the CLI and the tests share one list. */
export const ENTITY_GLOBS = [join(root, 'src', '**', '*.entity.{ts,js}')];
export const MIGRATION_GLOBS = [join(root, 'migrations', '*.{ts,js}')];

/** The one description of the database, used by the app, `ormconfig.ts` and the tests. */
export function buildDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    // Everything else, reads included, stays on the primary (defaultMode), so a write is
    // always visible to the next request; reports ask for a 'slave' runner explicitly.
    ...(settings.replicaUrls?.length
      ? {
          replication: {
            master: { url: settings.url },
            slaves: settings.replicaUrls.map((url) => ({ url })),
            defaultMode: 'master' as const,
          },
        }
      : {}),
    entities: ENTITY_GLOBS,
    migrations: MIGRATION_GLOBS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    migrationsRun: settings.migrationsRun ?? false,
    synchronize: false,
    uuidExtension: 'pgcrypto', // gen_random_uuid(), built into PostgreSQL 13+
    namingStrategy: new SnakeNamingStrategy(),
    poolSize: settings.poolSize ?? 10,
    connectTimeoutMS: settings.connectTimeoutMs ?? 3000,
    // bigint money and COUNT(*) come back as numbers; minor units stay far below 2^53.
    parseInt8: true,
    logging: settings.logging === false ? false : ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(),
    extra: {
      application_name: settings.applicationName ?? 'pos-backend',
      statement_timeout: settings.statementTimeoutMs ?? 15000,
      // A lock wait longer than this fails the statement instead of queueing tills indefinitely.
      lock_timeout: settings.lockTimeoutMs ?? 10000,
      idle_in_transaction_session_timeout: 60000,
      // pg closes a connection idle for 10 s by default: a till's sale after a quiet spell then
      // paid for a new backend (fork, catalogue caches, statements prepared again), and the
      // bench saw each burst after 12 s idle start a fifth slower for two seconds.
      idleTimeoutMillis: 60000,
    },
  };
}
