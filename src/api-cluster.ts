import cluster, { Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import type { Env } from './config/env.schema';
import type { EmbeddedPostgres } from './database/embedded-postgres';

const logger = new Logger('Cluster');

/**
 * The primary of `API_WORKERS` > 1: it owns the embedded database (if any) and forks the API
 * processes, which share the port. The first one starts alone, so that one-time work at boot
 * (migrations, first admin, demo data) runs once; the others then start without it. A worker
 * that dies is replaced; SIGTERM/SIGINT drains every worker before the database stops.
 */
export async function runClusterPrimary(
  env: Env,
  startEmbeddedDatabase: () => Promise<EmbeddedPostgres | undefined>,
): Promise<void> {
  const embedded = await startEmbeddedDatabase();
  const seedDemoData = String(env.SEED_DEMO_DATA ?? embedded !== undefined);
  let stopping = false;

  const fork = (first: boolean): Promise<Worker> => {
    const worker = cluster.fork(
      first
        ? { SEED_DEMO_DATA: seedDemoData }
        : { SEED_DEMO_DATA: 'false', DATABASE_MIGRATIONS_RUN: 'false' },
    );
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error(`API worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
      void fork(false);
    });
    return new Promise((resolve) => worker.once('listening', () => resolve(worker)));
  };

  await fork(true);
  await Promise.all(Array.from({ length: env.API_WORKERS - 1 }, () => fork(false)));
  logger.log(`${env.API_WORKERS} API workers listening on port ${env.PORT}`);

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining ${env.API_WORKERS} API workers`);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((done) => {
            if (worker.isDead()) return done();
            worker.once('exit', () => done());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    await embedded?.stop();
    logger.log('Stopped cleanly');
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}
