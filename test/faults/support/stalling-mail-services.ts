import { Client } from 'pg';
import { PrivateRedis } from '../../support/redis-server';
import { jwtSecret, NodeProcess, ServiceEnv } from './node-process';
import { PrivatePostgres } from './private-postgres';
import { StallingSmtpSink } from './stalling-smtp';

/** A private PostgreSQL, Redis and stalling SMTP server, with a client on the database. */
export interface StallingMailServices {
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  sink: StallingSmtpSink;
  db: Client;
  /** What the API and worker processes run with (plus `settings`). */
  env: ServiceEnv;
}

/** Starts them side by side; if one fails, stops the others before throwing. */
export async function startStallingMailServices(
  settings: Record<string, string> = {},
): Promise<StallingMailServices> {
  const started = await Promise.allSettled([
    PrivatePostgres.start(),
    PrivateRedis.start(),
    StallingSmtpSink.start(),
  ]);
  const [postgres, redis, sink] = started.map((result) =>
    result.status === 'fulfilled' ? result.value : undefined,
  ) as [PrivatePostgres?, PrivateRedis?, StallingSmtpSink?];
  if (!postgres || !redis || !sink) {
    await Promise.allSettled([sink?.stop(), redis?.stop(), postgres?.destroy()]);
    throw (started.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason;
  }
  const db = new Client({ connectionString: postgres.url });
  await db.connect();
  const env: ServiceEnv = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    SMTP_URL: sink.url,
    JWT_SECRET: jwtSecret(),
    ...settings,
  };
  return { postgres, redis, sink, db, env };
}

/** Kills the processes, then stops the services (whatever of them started). */
export async function stopStallingMailServices(
  processes: NodeProcess[],
  services: StallingMailServices | undefined,
): Promise<void> {
  await Promise.allSettled(processes.map((process) => process.kill()));
  if (!services) return;
  await services.db.end();
  await Promise.allSettled([
    services.sink.stop(),
    services.redis.stop(),
    services.postgres.destroy(),
  ]);
}
