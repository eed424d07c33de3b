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
  // BullMQ's worker.close() never returns while Redis is unreachable. The job in hand is done
  // well within the outbox lease, so after it the process may go: an unacknowledged job runs
  // again and finds its row delivered.
  const deadlineMs = env.OUTBOX_LEASE_MS + 10_000;
  let stopping = false;
  // On SIGTERM/SIGINT the shutdown hooks run: the notifications processor stops taking jobs and
  // finishes the one in hand (NotificationsProcessor.beforeApplicationShutdown), then the
  // connections close. The listeners stay (not Nest's enableShutdownHooks, which removes them):
  // Ctrl-C under npm arrives twice, and a second signal with none would kill the process.
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing the job in hand`);
    setTimeout(() => {
      logger.error(`Shutdown did not finish within ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    try {
      await app.close();
      logger.log('Stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error(`Shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, (s) => void stop(s));
  await app.init();
  logger.log('Worker started');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof InvalidConfigurationError) console.error(error.message);
  else logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
