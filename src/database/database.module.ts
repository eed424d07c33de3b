import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema';
import { buildDataSourceOptions } from './data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const url = config.get('DATABASE_URL', { infer: true });
        if (!url) throw new Error('DATABASE_URL is not set and no embedded database was started');
        return {
          ...buildDataSourceOptions({
            url,
            poolSize: config.get('DATABASE_POOL_SIZE', { infer: true }),
            statementTimeoutMs: config.get('DATABASE_STATEMENT_TIMEOUT_MS', { infer: true }),
            connectTimeoutMs: config.get('DATABASE_CONNECT_TIMEOUT_MS', { infer: true }),
            lockTimeoutMs: config.get('DATABASE_LOCK_TIMEOUT_MS', { infer: true }),
            replicaUrls: config.get('DATABASE_REPLICA_URLS', { infer: true }),
            migrationsRun: config.get('DATABASE_MIGRATIONS_RUN', { infer: true }),
            logging: config.get('LOG_LEVEL', { infer: true }) !== 'silent',
          }),
          // Fail at boot instead of retrying for minutes; orchestrators restart the process.
          retryAttempts: 0,
        };
      },
    }),
  ],
})
export class DatabaseModule {}
