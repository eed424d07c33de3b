import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from './free-port';
import { ping, PrivateRedis } from './redis-server';
import { testState } from './test-state';

const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

async function startPostgres(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const dir = mkdtempSync(join(tmpdir(), 'pos-test-pg-'));
  chmodSync(dir, 0o755); // the server may run as the `postgres` user
  const server = new EmbeddedPostgres({
    dataDir: join(dir, 'data'),
    port: await freePort(),
    database: 'postgres',
    // A throwaway cluster: durability buys nothing here and costs seconds.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
  });
  await server.start();
  testState.embedded = { server, dir };
  return server.adminUrl();
}

async function findRedis(): Promise<string> {
  const configured = process.env.REDIS_URL;
  if (configured) return configured;
  if (await ping(DEFAULT_REDIS)) return DEFAULT_REDIS;
  if (!PrivateRedis.available()) {
    throw new Error(
      'Tests need Redis: set REDIS_URL, run one on 127.0.0.1:6379, or install redis-server (apt install redis-server).',
    );
  }
  const redis = await PrivateRedis.start();
  testState.redis = redis;
  return redis.url;
}

/** Migrates one template database; each test file clones its own database from it. */
async function createTemplate(adminUrl: string): Promise<string> {
  const name = `pos_test_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataSource = new DataSource({
    ...buildDataSourceOptions({ url: url.toString() }),
    logging: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  return name;
}

export default async function globalSetup(): Promise<void> {
  const [adminUrl, redisUrl] = await Promise.all([startPostgres(), findRedis()]);
  const template = await createTemplate(adminUrl);
  // Jest workers inherit these.
  process.env.TEST_PG_ADMIN_URL = adminUrl;
  process.env.TEST_PG_TEMPLATE = template;
  process.env.TEST_REDIS_URL = redisUrl;
}
