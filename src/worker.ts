import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadEnvFile } from './config/env-file';
import { InvalidConfigurationError, validateEnv } from './config/env.schema';
import { WorkerModule } from './worker.module';

const logger = new NestLogger('Worker');

async function bootstrap(): Promise<void> {
  loadEnvFile();
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
  // On SIGTERM/SIGINT Nest runs the shutdown hooks: the notifications processor stops taking
  // jobs and finishes the one in hand (NotificationsProcessor.beforeApplicationShutdown), then
  // the connections close.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // BullMQ's worker.close() never returns while Redis is unreachable. The job in hand is done
  // well within the outbox lease, so after it the process may go: an unacknowledged job runs
  // again and finds its row delivered.
  const deadlineMs = env.OUTBOX_LEASE_MS + 10_000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        logger.error(`Shutdown did not finish within ${deadlineMs} ms; exiting`);
        process.exit(1);
      }, deadlineMs).unref();
    });
  }
  await app.init();
  logger.log('Worker started');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof InvalidConfigurationError) console.error(error.message);
  else logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
