import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL missing: run the tests through jest (global setup)');
  return url;
}

function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pos_test_${randomBytes(6).toString('hex')}`;
  const template = process.env.TEST_PG_TEMPLATE!;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return testDatabase(name);
}

function testDatabase(name: string): TestDatabase {
  return {
    name,
    url: urlFor(name),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * An empty database (the app's migrations must run on it) whose character classification is
 * `ctype`: the test server's own is C, under which lower() folds ASCII letters only.
 */
export async function createEmptyDatabase(ctype: string): Promise<TestDatabase> {
  const name = `pos_test_${randomBytes(6).toString('hex')}`;
  await admin((client) =>
    client.query(
      `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE '${ctype}'`,
    ),
  );
  return testDatabase(name);
}
