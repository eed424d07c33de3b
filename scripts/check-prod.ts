/**
 * npm run check:prod [-- --offline]
 * (in the image: node dist/scripts/check-prod.js)
 *
 * Reads the environment the API runs with and prints which items of the production checklist
 * (DEPLOYMENT.md) pass (✔), need a look (!) or fail (✘); exits 1 when any fails. Unless
 * --offline, it also asks the database (is the API's role unable to rewrite the append-only
 * tables?) and Redis (maxmemory-policy noeviction?).
 */
import 'reflect-metadata';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { loadEnvFile } from '../src/config/env-file';
import {
  BackupFacts,
  DatabaseRoleFacts,
  formatResults,
  LiveFacts,
  runChecklist,
} from './production-checklist';

const TIMEOUT_MS = 3000;

function backupFacts(dir: string | undefined): BackupFacts {
  if (!dir) return { dirExists: false };
  try {
    const newest = readdirSync(dir)
      .filter((name) => /^pos-.+\.dump$/.test(name))
      .map((name) => ({ name, modifiedAt: statSync(join(dir, name)).mtime }))
      .sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime())[0];
    return { dirExists: true, newest };
  } catch {
    return { dirExists: false };
  }
}

async function databaseFacts(url: string): Promise<DatabaseRoleFacts> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: TIMEOUT_MS,
    statement_timeout: TIMEOUT_MS,
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT current_user AS role, r.rolsuper AS superuser,
              coalesce(array_agg(c.relname::text ORDER BY c.relname)
                FILTER (WHERE pg_has_role(current_user, c.relowner, 'USAGE')), '{}'::text[]) AS owns,
              coalesce(array_agg(c.relname::text ORDER BY c.relname)
                FILTER (WHERE has_table_privilege(c.oid, 'UPDATE')
                           OR has_table_privilege(c.oid, 'DELETE')
                           OR has_table_privilege(c.oid, 'TRUNCATE')), '{}'::text[]) AS rewrites
         FROM pg_roles r
         LEFT JOIN pg_class c ON c.relname IN ('audit_logs', 'stock_movements')
                             AND c.relnamespace = 'public'::regnamespace
        WHERE r.rolname = current_user
        GROUP BY r.rolname, r.rolsuper`,
    );
    const [row] = rows;
    return {
      role: row.role,
      superuser: row.superuser,
      ownsLedgers: row.owns,
      mayRewriteLedgers: row.rewrites,
    };
  } finally {
    await client.end();
  }
}

async function redisPolicy(url: string): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const reply = (await redis.config('GET', 'maxmemory-policy').catch(() => null)) as
      string[] | null;
    return reply?.[1] ?? null;
  } finally {
    redis.disconnect();
  }
}

const message = (error: unknown) => (error as Error).message || String(error);

export async function gatherLiveFacts(env: NodeJS.ProcessEnv): Promise<LiveFacts> {
  const [database, redis] = await Promise.all([
    env.DATABASE_URL
      ? databaseFacts(env.DATABASE_URL).catch((error) => ({ error: message(error) }))
      : Promise.resolve({ error: 'DATABASE_URL is not set' }),
    env.REDIS_URL
      ? redisPolicy(env.REDIS_URL).then(
          (maxmemoryPolicy) => ({ maxmemoryPolicy }),
          (error) => ({ error: message(error) }),
        )
      : Promise.resolve({ error: 'REDIS_URL is not set' }),
  ]);
  return { database, redis };
}

async function main(): Promise<void> {
  loadEnvFile(); // the environment the API runs with: it reads `.env` too
  const offline = process.argv.includes('--offline');
  const live = offline ? {} : await gatherLiveFacts(process.env);
  const results = runChecklist(process.env, backupFacts(process.env.BACKUP_DIR), live);
  console.log(`Production checklist${offline ? ' (offline)' : ''}:\n`);
  console.log(formatResults(results));
  process.exitCode = results.some((result) => result.status === 'fail') ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(2);
  });
}
