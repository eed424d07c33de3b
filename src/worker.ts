import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { InvalidConfigurationError, validateEnv } from './config/env.schema';
import { WorkerModule } from './worker.module';

const logger = new NestLogger('Worker');

async function bootstrap(): Promise<void> {
  const env = validateEnv(process.env);
  if (!env.REDIS_URL || !env.DATABASE_URL) {
    console.error(
      'The worker needs DATABASE_URL and REDIS_URL. Without Redis (the embedded default of `npm start`) the API process delivers notifications itself, and no worker is needed.',
    );
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // On SIGTERM/SIGINT Nest closes the BullMQ workers, which finish the job in hand first.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  logger.log('Worker started');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof InvalidConfigurationError) console.error(error.message);
  else logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
