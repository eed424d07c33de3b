import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { seedStore, signedIn } from '../support/auth';
import { seedProduct } from '../support/catalog';
import { postSale } from '../support/sales';

const ROOT = resolve(__dirname, '..', '..');
const DAY_MS = 24 * 3600 * 1000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCommand(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<Run>((done) => {
    execFile(
      command,
      args,
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Runs one of our shell scripts as an operator would, with its own environment. */
function runScript(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return runCommand('bash', [join(ROOT, 'scripts', script), ...args], env);
}

function urlOf(database: string): string {
  const url = new URL(process.env.TEST_PG_ADMIN_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const admin = <T>(work: (client: Client) => Promise<T>) =>
  withClient(process.env.TEST_PG_ADMIN_URL!, work);

/** Row count of every table of the public schema. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const counts: Record<string, number> = {};
    for (const { table_name: table } of rows) {
      const result = await client.query(`SELECT count(*)::int AS n FROM "${table}"`);
      counts[table] = result.rows[0].n;
    }
    return counts;
  });
}

/** Store/product pairs whose quantity differs from the sum of their ledger. */
async function ledgerMismatches(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n
         FROM inventory i
         FULL JOIN (SELECT store_id, product_id, sum(delta) AS total
                      FROM stock_movements GROUP BY store_id, product_id) m
           USING (store_id, product_id)
        WHERE COALESCE(i.quantity, 0) <> COALESCE(m.total, 0)`,
    );
    return rows[0].n;
  });
}

function dumpsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^pos-.+-\d{8}T\d{6}Z\.dump$/.test(name))
    .sort();
}

describe('backup.sh and restore.sh on a real PostgreSQL', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let backupDir: string;
  let backup: string;
  const created: string[] = [];

  /** A database name of this test, dropped at the end. */
  function newDatabaseName(): string {
    const name = `pos_restore_${randomBytes(5).toString('hex')}`;
    created.push(name);
    return name;
  }

  beforeAll(async () => {
    api = await startTestApp();
    dataSource = api.app.get(DataSource);
    backupDir = mkdtempSync(join(tmpdir(), 'pos-backups-'));

    // Two stores with stock, sales through the API (ledger, receipts, payments, audit).
    const storeIds = [await seedStore(api), await seedStore(api)];
    const { token } = await signedIn(api, 'admin');
    for (const storeId of storeIds) {
      const products = [await seedProduct(api), await seedProduct(api, { reorderLevel: 8 })];
      for (const productId of products) {
        await dataSource.query(
          `WITH moved AS (
             INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 10) RETURNING quantity)
           INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason)
           SELECT $1, $2, 10, quantity, 'receiving' FROM moved`,
          [storeId, productId],
        );
      }
      for (let sale = 0; sale < 2; sale++) {
        const response = await postSale(api, token, {
          storeId,
          items: products.map((productId) => ({ productId, quantity: 1 })),
        });
        expect(response.statusCode).toBe(201);
      }
    }
    // Bulk, so that data outweighs the schema in the archive (see the truncated-dump test).
    await dataSource.query(
      `INSERT INTO audit_logs (action, details)
       SELECT 'test.bulk', jsonb_build_object('n', n, 'text', md5(n::text)) FROM generate_series(1, 5000) n`,
    );
  }, 60_000);

  afterAll(async () => {
    await api.close();
    rmSync(backupDir, { recursive: true, force: true });
    await admin(async (client) => {
      for (const name of created) {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query(`DROP DATABASE IF EXISTS ${name}_restoring WITH (FORCE)`);
      }
    });
  });

  it('backs up into BACKUP_DIR a compressed custom-format dump named with the UTC time', async () => {
    const run = await runScript('backup.sh', [], {
      DATABASE_URL: api.database.url,
      BACKUP_DIR: backupDir,
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const files = dumpsIn(backupDir);
    expect(files).toHaveLength(1);
    backup = join(backupDir, files[0]);
    expect(readdirSync(backupDir)).toEqual(files); // no *.partial left
    expect(files[0]).toContain(api.database.name);
    expect(readFileSync(backup).subarray(0, 5).toString()).toBe('PGDMP'); // custom format
    expect(run.stdout).toMatch(/Backup written: .+\.dump \(\S+, \d+ bytes\)/);
  });

  it('restores into a new database with every row and the ledger invariant', async () => {
    const target = newDatabaseName();
    const run = await runScript('restore.sh', ['--yes', backup], { DATABASE_URL: urlOf(target) });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Restored: database '${target}'`);
    expect(run.stdout).toContain('Next:');

    const [before, after] = [await rowCounts(api.database.url), await rowCounts(urlOf(target))];
    expect(after).toEqual(before);
    expect(after.sales).toBe(4);
    expect(after.stock_movements).toBe(4 + 8);
    expect(after.migrations).toBeGreaterThan(0);
    expect(await ledgerMismatches(urlOf(target))).toBe(0);
    // The append-only trigger came back too.
    await withClient(urlOf(target), async (client) => {
      await expect(client.query('DELETE FROM audit_logs')).rejects.toThrow(/append-only/);
    });
    // No scratch database left behind.
    const scratch = await admin((client) =>
      client.query('SELECT 1 FROM pg_database WHERE datname = $1', [`${target}_restoring`]),
    );
    expect(scratch.rowCount).toBe(0);
  }, 120_000);

  it('replaces an existing database, terminating the connections to it', async () => {
    const target = newDatabaseName();
    await admin((client) => client.query(`CREATE DATABASE ${target}`));
    const holder = new Client({ connectionString: urlOf(target) });
    holder.on('error', () => undefined); // it is terminated on purpose
    await holder.connect();
    await holder.query('CREATE TABLE stale (id int)');

    const run = await runScript('restore.sh', ['--yes', '--no-migrate', backup], {
      DATABASE_URL: urlOf(target),
    });
    expect(run.code).toBe(0);
    await expect(holder.query('SELECT 1')).rejects.toThrow();
    await holder.end().catch(() => undefined);
    const counts = await rowCounts(urlOf(target));
    expect(counts.stale).toBeUndefined();
    expect(counts.sales).toBe(4);
  }, 120_000);

  describe('refuses, changing nothing', () => {
    let target: string;
    const markerCount = () =>
      withClient(urlOf(target), async (client) => {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM marker');
        return rows[0].n as number;
      });

    beforeAll(async () => {
      target = newDatabaseName();
      await admin((client) => client.query(`CREATE DATABASE ${target}`));
      await withClient(urlOf(target), (client) =>
        client.query('CREATE TABLE marker (id int); INSERT INTO marker VALUES (1), (2)'),
      );
    });

    it('a file that is not a dump', async () => {
      const bogus = join(backupDir, 'not-a-dump.dump');
      writeFileSync(bogus, 'SELECT 1; -- a plain SQL file, not a custom-format archive\n');
      const run = await runScript('restore.sh', ['--yes', bogus], { DATABASE_URL: urlOf(target) });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/not a valid backup/);
      expect(run.stderr).toMatch(/Nothing was changed/);
      expect(await markerCount()).toBe(2);
    });

    it('a truncated dump whose table of contents still reads', async () => {
      const truncated = join(backupDir, 'truncated.dump');
      const whole = readFileSync(backup);
      writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.8)));
      // Its table of contents is whole: only restoring it finds the data cut short.
      const list = await runCommand('pg_restore', ['--list', truncated]);
      expect(list.code).toBe(0);
      const run = await runScript('restore.sh', ['--yes', '--no-migrate', truncated], {
        DATABASE_URL: urlOf(target),
      });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(`database '${target}' was not changed`);
      expect(await markerCount()).toBe(2);
    }, 60_000);

    it('a swap stopped half-way: the current database is put back, open to clients', async () => {
      // A session on the scratch database makes its rename into place fail, after the current
      // database has been renamed aside: the case where dropping first would have lost both.
      const scratch = `${target}_restoring`;
      let holder: Client | undefined;
      const running = runScript('restore.sh', ['--yes', backup], { DATABASE_URL: urlOf(target) });
      let finished = false;
      void running.then(() => (finished = true));
      while (!holder && !finished) {
        const exists = await admin((client) =>
          client.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratch]),
        );
        if (exists.rowCount) {
          const client = new Client({ connectionString: urlOf(scratch) });
          client.on('error', () => undefined); // dropped with the scratch database
          holder = await client.connect().then(
            () => client,
            () => undefined,
          );
        } else await new Promise((wait) => setTimeout(wait, 20));
      }
      const run = await running;
      await holder?.end().catch(() => undefined);
      expect(holder).toBeDefined();
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(`database '${target}' was not changed`);
      expect(await markerCount()).toBe(2);
      const left = await admin((client) =>
        client.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [
          [scratch, `${target}_previous`],
        ]),
      );
      expect(left.rows).toEqual([]);
    }, 120_000);

    it('without confirmation when not run in a terminal', async () => {
      const run = await runScript('restore.sh', [backup], { DATABASE_URL: urlOf(target) });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/not confirmed/);
      expect(await markerCount()).toBe(2);
    });
  });

  describe('backup failures and retention', () => {
    it('leaves no file behind and deletes nothing when the dump fails', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pos-backups-'));
      const old = join(dir, 'pos-pos-20200101T000000Z.dump');
      writeFileSync(old, 'old');
      utimesSync(old, new Date(Date.now() - 90 * DAY_MS), new Date(Date.now() - 90 * DAY_MS));
      const run = await runScript('backup.sh', [], {
        DATABASE_URL: urlOf(`pos_missing_${randomBytes(4).toString('hex')}`),
        BACKUP_DIR: dir,
      });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/Backup FAILED/);
      expect(readdirSync(dir)).toEqual(['pos-pos-20200101T000000Z.dump']);
      rmSync(dir, { recursive: true, force: true });
    });

    it('deletes only backups older than BACKUP_RETENTION_DAYS', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pos-backups-'));
      const files: Record<string, number> = {
        'pos-pos-20250101T000000Z.dump': 40, // old backup: goes
        'pos-pos-20250201T000000Z.dump': 31, // just past 30 days: goes
        'pos-pos-20250301T000000Z.dump': 29, // within 30 days: stays
        'pos-pos-20250302T000000Z.dump.partial': 3, // a killed run's leftover: goes after a day
        'notes.txt': 400, // not a backup: never touched
        'other-app.dump': 400, // not ours: never touched
      };
      for (const [name, ageDays] of Object.entries(files)) {
        const path = join(dir, name);
        writeFileSync(path, name);
        const at = new Date(Date.now() - ageDays * DAY_MS);
        utimesSync(path, at, at);
      }
      const run = await runScript('backup.sh', [], {
        DATABASE_URL: api.database.url,
        BACKUP_DIR: dir,
        BACKUP_RETENTION_DAYS: '30',
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Deleted 3 backup\(s\) older than 30 days/);
      const left = readdirSync(dir).sort();
      const fresh = new RegExp(`^pos-${api.database.name}-\\d{8}T\\d{6}Z\\.dump$`);
      expect(left.filter((name) => !fresh.test(name))).toEqual([
        'notes.txt',
        'other-app.dump',
        'pos-pos-20250301T000000Z.dump',
      ]);
      expect(left.filter((name) => fresh.test(name))).toHaveLength(1);
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a nonsensical retention before dumping anything', async () => {
      const run = await runScript('backup.sh', [], {
        DATABASE_URL: api.database.url,
        BACKUP_DIR: backupDir,
        BACKUP_RETENTION_DAYS: '0',
      });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/BACKUP_RETENTION_DAYS/);
    });
  });
});
