import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { loggerModule } from './common/http/logger.module';
import { InvalidationModule } from './common/redis/invalidation-bus';
import { RedisModule } from './common/redis/redis.module';
import { configModule } from './config/config.module';
import type { Env } from './config/env.schema';
import { DatabaseModule } from './database/database.module';
import { QUEUE_PREFIX } from './modules/notifications/notifications.queue';
import { NotificationsWorkerModule } from './modules/notifications/notifications-worker.module';

/** The worker process: BullMQ processors on the same database and Redis, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        configModule(),
        loggerModule(),
        DatabaseModule,
        RedisModule,
        InvalidationModule,
        BullModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<Env, true>) => ({
            connection: {
              url: config.get('REDIS_URL', { infer: true }),
              maxRetriesPerRequest: null,
            },
            prefix: QUEUE_PREFIX,
          }),
        }),
        NotificationsWorkerModule,
      ],
    };
  }
}
