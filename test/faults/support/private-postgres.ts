import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../../src/database/data-source-options';
import { EmbeddedPostgres } from '../../../src/database/embedded-postgres';
import { freePort } from '../../support/free-port';

/**
 * A PostgreSQL server of the test's own (a fresh cluster on a free port, migrated), which the
 * test may stop and start again while the API keeps running: never the machine's shared one.
 */
export class PrivatePostgres {
  private constructor(
    private readonly server: EmbeddedPostgres,
    private readonly dir: string,
  ) {}

  get url(): string {
    return this.server.url;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'pos-faults-pg-'));
    chmodSync(dir, 0o755); // the server may run as the `postgres` user
    const server = new EmbeddedPostgres({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      database: 'pos',
      settings: { fsync: 'off', full_page_writes: 'off' },
    });
    await server.start();
    const database = new PrivatePostgres(server, dir);
    await database.migrate();
    return database;
  }

  /** Fast shutdown: open transactions roll back, clients are disconnected. */
  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** Starts the same cluster again on the same port. */
  async restart(): Promise<void> {
    await this.server.start();
  }

  async destroy(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async migrate(): Promise<void> {
    const dataSource = new DataSource({
      ...buildDataSourceOptions({ url: this.url }),
      logging: false,
    });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
  }
}
