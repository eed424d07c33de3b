import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import { createBenchDatabase } from './bench-database';
import { runLoad, summarizeLoad } from './load';
import { startApi, stopApi } from './sales';

const OWASP = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id cost per verification in this process, and logins/s through the API. */
export async function runLoginBench(options: {
  concurrency: number;
  durationSeconds: number;
}): Promise<void> {
  const password = 'bench-login-password';
  const hash = await argon2.hash(password, OWASP);
  const verifications = 30;
  const started = performance.now();
  for (let i = 0; i < verifications; i++) await argon2.verify(hash, password);
  const verifyMs = Math.round(((performance.now() - started) / verifications) * 10) / 10;

  const database = await createBenchDatabase();
  const client = new Client({ connectionString: database.url });
  await client.connect();
  await client.query(
    `INSERT INTO users (username, password_hash, full_name, role) VALUES ('bench.login', $1, 'Bench', 'admin')`,
    [hash],
  );
  await client.end();
  const api = await startApi({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    DATABASE_MIGRATIONS_RUN: 'false',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    JWT_SECRET: randomBytes(48).toString('base64'),
    LOG_LEVEL: 'warn',
    LOGIN_IP_LIMIT: '1000000',
    SHUTDOWN_GRACE_MS: '0',
  });
  try {
    const run = await runLoad(options.concurrency, options.durationSeconds * 1000, async () => {
      const response = await fetch(`${api.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench.login', password }),
      });
      await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    });
    const result = summarizeLoad([run]);
    const summary = {
      kind: 'login',
      at: new Date().toISOString(),
      options,
      argon2VerifyMs: verifyMs,
      api: result,
    };
    console.log(`argon2id verify (19 MiB, t=2, p=1): ${verifyMs} ms per login in one thread`);
    console.log(
      `API logins: ${result.perSecond}/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, errors ${result.errors}`,
    );
    mkdirSync(join(__dirname, '..', '..', 'bench-results'), { recursive: true });
    writeFileSync(
      join(__dirname, '..', '..', 'bench-results', `login-${Date.now()}.json`),
      JSON.stringify(summary, null, 2),
    );
    if (result.errors > 0) process.exitCode = 1;
  } finally {
    await stopApi(api.child);
    await database.close();
  }
}
