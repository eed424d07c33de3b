import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from '../../test/support/free-port';

export interface BenchDatabase {
  url: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one benchmark run: on the server of DATABASE_URL, or on a
 * throwaway embedded PostgreSQL when it is unset. Dropped (or the server removed) on close.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  let embedded: { server: EmbeddedPostgres; dir: string } | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'pos-bench-'));
    chmodSync(dir, 0o755);
    const server = new EmbeddedPostgres({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      database: 'postgres',
      settings: { max_connections: '300' },
    });
    await server.start().catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    embedded = { server, dir };
    adminUrl = server.adminUrl();
  }
  const name = `pos_bench_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataSource = new DataSource({
    ...buildDataSourceOptions({ url: url.toString() }),
    logging: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  return {
    url: url.toString(),
    close: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      if (embedded) {
        await embedded.server.stop();
        rmSync(embedded.dir, { recursive: true, force: true });
      }
    },
  };
}
