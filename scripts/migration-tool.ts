/**
 * Migration helpers that never touch a real database's schema:
 *   generate <Name>  diff the entities against a scratch database migrated to head, write migrations/<ts>-<Name>.ts
 *   check            fail (exit 1) when entities and migrations drift apart (used by CI)
 * The scratch database lives on the server of DATABASE_URL, or on a throwaway embedded PostgreSQL.
 */
import 'reflect-metadata';
import { mkdtempSync, chmodSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';
import { freePort } from '../test/support/free-port';

interface Diff {
  up: string[];
  down: string[];
}

async function withScratchServer<T>(work: (adminUrl: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return work(process.env.DATABASE_URL);
  const dir = mkdtempSync(join(tmpdir(), 'pos-migrations-'));
  chmodSync(dir, 0o755);
  const server = new EmbeddedPostgres({
    dataDir: join(dir, 'data'),
    port: await freePort(),
    database: 'postgres',
    settings: { fsync: 'off' },
  });
  try {
    await server.start();
    return await work(server.adminUrl());
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function diffAgainstMigrations(adminUrl: string): Promise<Diff> {
  const name = `pos_migration_scratch_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataSource = new DataSource({
    ...buildDataSourceOptions({ url: url.toString() }),
    logging: false,
  });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return {
      up: sql.upQueries.map((query) => query.query),
      down: sql.downQueries.map((query) => query.query).reverse(),
    };
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

function renderMigration(className: string, diff: Diff): string {
  const lines = (queries: string[]) =>
    queries
      .map((query) => query.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${'))
      .map((query) => `    await queryRunner.query(\`${query}\`);`)
      .join('\n');
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(diff.up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines(diff.down)}
  }
}
`;
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command === 'check') {
    const diff = await withScratchServer(diffAgainstMigrations);
    if (diff.up.length === 0) {
      console.log('Migrations match the entities.');
      return;
    }
    console.error('Entities and migrations have drifted. Missing from migrations:');
    for (const query of diff.up) console.error(`  ${query};`);
    console.error('Run: npm run migration:generate -- <Name>');
    process.exit(1);
  }
  if (command === 'generate' && name && /^[A-Z][A-Za-z0-9]*$/.test(name)) {
    const diff = await withScratchServer(diffAgainstMigrations);
    if (diff.up.length === 0) {
      console.log('No changes: entities match the migrations.');
      return;
    }
    const timestamp = Date.now();
    const file = join(__dirname, '..', 'migrations', `${timestamp}-${name}.ts`);
    writeFileSync(file, renderMigration(`${name}${timestamp}`, diff));
    console.log(`Wrote ${file} (${diff.up.length} statements). Read it before committing.`);
    return;
  }
  console.error(
    'Usage: npm run migration:generate -- <PascalCaseName>   |   npm run migration:check',
  );
  process.exit(2);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
