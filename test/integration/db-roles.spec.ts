import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { checkDatabaseRole } from '../../scripts/production-checklist';
import { gatherLiveFacts } from '../../scripts/check-prod';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { startTestApp, TestApp } from '../support/app';
import { seedStore, signedIn } from '../support/auth';
import { seedProduct } from '../support/catalog';
import { postSale } from '../support/sales';

const ROOT = resolve(__dirname, '..', '..');

function run(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      command,
      args,
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

function urlAs(user: string, database: string): string {
  const url = new URL(process.env.TEST_PG_ADMIN_URL!);
  url.username = user;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
}

async function as<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * DEPLOYMENT.md's database roles: a migration role that owns the schema and an API role with
 * DML only (scripts/db-grants.sql), so the append-only tables stay append-only even against the
 * API's own credentials.
 */
describe('database roles: the API role cannot rewrite the ledgers', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `pos_owner_${suffix}`;
  const appRole = `pos_app_${suffix}`;
  const database = `pos_roles_${suffix}`;
  const ownerUrl = urlAs(owner, database);
  const appUrl = urlAs(appRole, database);
  const adminUrl = process.env.TEST_PG_ADMIN_URL!;

  beforeAll(async () => {
    // DEPLOYMENT.md, "Database roles", run as a superuser once (passwords aside: trust auth here).
    await as(adminUrl, async (client) => {
      await client.query(`CREATE ROLE ${owner} LOGIN CREATEDB`);
      await client.query(`CREATE ROLE ${appRole} LOGIN`);
      await client.query(`CREATE DATABASE ${database} OWNER ${owner}`);
      await client.query(`GRANT pg_signal_backend TO ${owner}`);
    });
    // The deploy: migrations as the owner, then the grants.
    const migrator = new DataSource({
      ...buildDataSourceOptions({ url: ownerUrl }),
      logging: false,
    });
    await migrator.initialize();
    await migrator.runMigrations({ transaction: 'each' });
    await migrator.destroy();
    const grants = await run('psql', [
      ownerUrl,
      '--quiet',
      '-v',
      `app_role=${appRole}`,
      '-f',
      'scripts/db-grants.sql',
    ]);
    expect(grants).toMatchObject({ code: 0, stderr: '' });
  }, 120_000);

  afterAll(async () => {
    await as(adminUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.query(`DROP DATABASE IF EXISTS ${database}_restoring WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${appRole}`);
      await client.query(`DROP ROLE IF EXISTS ${owner}`);
    });
  });

  async function expectAppRoleConfined(): Promise<void> {
    await as(appUrl, async (client) => {
      await client.query(`INSERT INTO audit_logs (action) VALUES ('test.append')`);
      expect((await client.query('SELECT count(*) FROM audit_logs')).rows[0].count).not.toBe('0');
      for (const statement of [
        `UPDATE audit_logs SET action = 'test.rewritten'`,
        'DELETE FROM audit_logs',
        'TRUNCATE audit_logs',
        'DELETE FROM stock_movements',
        'UPDATE stock_movements SET delta = 0',
        'DELETE FROM migrations',
      ]) {
        await expect(client.query(statement)).rejects.toThrow(/permission denied/);
      }
      for (const statement of [
        'ALTER TABLE audit_logs DISABLE TRIGGER ALL',
        'DROP TABLE stock_movements',
      ]) {
        await expect(client.query(statement)).rejects.toThrow(/must be owner/);
      }
      await expect(client.query('CREATE TABLE sneaky (id int)')).rejects.toThrow(
        /permission denied for schema public/,
      );
    });
  }

  it('the API role may append to the ledgers but not change, remove or unprotect them', () =>
    expectAppRoleConfined());

  it('the application runs on the API role: sign-in, a sale, readiness', async () => {
    let api: TestApp | undefined;
    try {
      api = await startTestApp({ databaseUrl: () => appUrl });
      const storeId = await seedStore(api);
      const productId = await seedProduct(api);
      await api.app.get(DataSource).query(
        `WITH moved AS (INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 5) RETURNING quantity)
         INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason)
         SELECT $1, $2, 5, quantity, 'receiving' FROM moved`,
        [storeId, productId],
      );
      const { token } = await signedIn(api, 'admin');
      const sale = await postSale(api, token, { storeId, items: [{ productId, quantity: 2 }] });
      expect(sale.statusCode).toBe(201);
      expect((await api.request({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    } finally {
      await api?.close();
    }
  }, 60_000);

  it('check:prod passes the API role and fails the owner', async () => {
    const app = await gatherLiveFacts({ DATABASE_URL: appUrl });
    expect(checkDatabaseRole(app.database)).toMatchObject({ status: 'pass' });
    const ownerFacts = await gatherLiveFacts({ DATABASE_URL: ownerUrl });
    const result = checkDatabaseRole(ownerFacts.database);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('owns audit_logs, stock_movements');
  });

  it('restore.sh with DB_APP_ROLE gives the API role its privileges back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-backups-'));
    try {
      const backup = await run('bash', ['scripts/backup.sh'], {
        DATABASE_URL: ownerUrl,
        BACKUP_DIR: dir,
      });
      expect(backup.code).toBe(0);
      const [file] = readdirSync(dir);
      // An API session is still connected: the owner may end it (pg_signal_backend).
      const session = new Client({ connectionString: appUrl });
      session.on('error', () => undefined);
      await session.connect();
      const restore = await run('bash', ['scripts/restore.sh', '--yes', join(dir, file)], {
        DATABASE_URL: ownerUrl,
        DB_APP_ROLE: appRole,
      });
      await session.end().catch(() => undefined);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      await as(appUrl, async (client) => {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM sales');
        expect(rows[0].n).toBe(1);
      });
      await expectAppRoleConfined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
