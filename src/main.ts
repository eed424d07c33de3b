import 'reflect-metadata';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadEnvFile } from './config/env-file';
import { Env, InvalidConfigurationError, validateEnv } from './config/env.schema';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { DemoSeeder } from './modules/demo/demo-seeder.service';
import { ShutdownState } from './modules/health/shutdown-state';

const logger = new Logger('Bootstrap');

function loadConfiguration(): Env {
  try {
    loadEnvFile();
    return validateEnv(process.env);
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

async function startEmbeddedDatabase(env: Env): Promise<EmbeddedPostgres> {
  const database = new EmbeddedPostgres({
    dataDir: join(env.DATA_DIR, 'pg'),
    port: env.EMBEDDED_DATABASE_PORT,
    database: 'pos',
  });
  const url = await database.start();
  process.env.DATABASE_URL = url;
  logger.log(
    `DATABASE_URL not set: embedded PostgreSQL running at ${url} (data in ${env.DATA_DIR}/pg)`,
  );
  return database;
}

async function bootstrap(): Promise<void> {
  const env = loadConfiguration();
  const embedded = env.DATABASE_URL ? undefined : await startEmbeddedDatabase(env);
  const app = await createApp().catch(async (error: unknown) => {
    await embedded?.stop();
    throw error;
  });
  const seedsDemoData = env.SEED_DEMO_DATA ?? embedded !== undefined;
  if (seedsDemoData) await app.get(DemoSeeder).seedOnce();
  const host = env.HOST ?? (seedsDemoData ? '127.0.0.1' : '0.0.0.0');
  await app.listen({ port: env.PORT, host });
  logger.log(
    `API on http://localhost:${env.PORT}/api/v1 · docs on http://localhost:${env.PORT}/docs`,
  );
  if (env.HOST === undefined && seedsDemoData)
    logger.log(
      'Listening on 127.0.0.1 only: the demo logins are published. HOST=0.0.0.0 opens it to the network',
    );

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(
      `${signal} received: draining (ready → 503, then close after ${env.SHUTDOWN_GRACE_MS} ms)`,
    );
    // In-flight work is bounded by the statement timeout; past that, something hangs.
    const deadlineMs = (env.SHUTDOWN_GRACE_MS ?? 0) + env.DATABASE_STATEMENT_TIMEOUT_MS + 15_000;
    setTimeout(() => {
      logger.error(`Shutdown did not finish within ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    app.get(ShutdownState).begin();
    // A response that began before the drain (a streamed export) carries no Connection: close;
    // once it ends, its connection is idle and would hold close() for the whole keep-alive time.
    (app.getHttpServer() as Server).keepAliveTimeout = 500;
    await new Promise((wait) => setTimeout(wait, env.SHUTDOWN_GRACE_MS));
    let clean = true;
    try {
      await app.close(); // stops accepting, lets in-flight requests finish, closes pools
    } catch (error) {
      clean = false;
      logger.error(`Shutdown failed: ${(error as Error).message}`);
    }
    await embedded?.stop();
    if (clean) logger.log('Stopped cleanly');
    process.exit(clean ? 0 : 1);
  };
  // `on`, not `once`: Ctrl-C under npm reaches the process twice (from the terminal and from
  // npm), and with no listener left the second signal would kill it mid-drain.
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
